"""A small work ledger for the reporting tests (dashboard, bulletin, workbook), built through
the services: as of April 2015 三个对接行动 is 滞后 (a step due in March not done: 逾期),
鹤山区品牌培训基地 is 滞后 (its report says so), 宣传 is 已完成, the other ten 未开始."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Department, Plan, StepReport, WorkStep
from tests.targets.test_evidence import PDF, png
from tests.targets.work_flow import HESHAN_ITEM, Progress, Status, item, step

AS_OF = "2015-04"


def reported(
    clerk: Any,
    reviewer: Any,
    work_step: WorkStep,
    month: int,
    progress: str,
    done: str,
    problems: str = "",
    files: tuple[str, ...] = (),
    status: str = Status.APPROVED,
) -> StepReport:
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=month, progress=progress, done=done, problems=problems
    )
    for name in files:
        content = PDF if name.endswith(".pdf") else png()
        services.evidence_attach(
            actor=clerk, report=saved, upload=SimpleUploadedFile(name, content)
        )
    if status != Status.DRAFT:
        services.step_report_submit(actor=clerk, report=saved)
    if status == Status.APPROVED:
        services.step_report_approve(actor=reviewer, report=saved)
    saved.refresh_from_db()
    return saved


def build(plan: Plan, administrator: Any, clerk: Any, clerk_of: Any, reviewer: Any) -> dict:
    matchings = item(plan)
    services.work_units_set(
        actor=administrator,
        milestone=matchings,
        requirement="=每季度召开一次对接会",  # typed text that looks like a formula
        units=[(Department.objects.get(code="edu"), None)],
    )
    edu = clerk_of("edu")
    plan_step = step(clerk, matchings, title="制定对接方案", due_on=date(2015, 3, 31))
    meeting = step(clerk, matchings, title="召开对接会", due_on=date(2015, 3, 31))
    signing = step(edu, matchings, department="edu", title="校企签约", due_on=date(2015, 9, 30))
    reported(clerk, reviewer, plan_step, 2, Progress.IN_PROGRESS, "起草方案", files=("草稿.pdf",))
    reported(
        clerk, reviewer, plan_step, 3, Progress.DONE, "方案已印发", files=("方案.pdf", "照片.png")
    )
    reported(
        clerk, reviewer, meeting, 3, Progress.IN_PROGRESS, "筹备对接会", problems="+场地未落实"
    )
    reported(edu, reviewer, signing, 3, Progress.IN_PROGRESS, "走访企业")
    reported(
        edu, reviewer, signing, 4, Progress.IN_PROGRESS, "尚未审核的内容", status=Status.SUBMITTED
    )
    heshan_clerk = clerk_of("hrss", "410602")
    base = step(
        heshan_clerk,
        item(plan, HESHAN_ITEM),
        region="410602",
        title="申报基地",
        due_on=date(2015, 6, 30),
    )
    reported(
        heshan_clerk, reviewer, base, 3, Progress.DELAYED, "编制申报书", problems="配套资金未到位"
    )
    publicity = step(clerk, item(plan, "publicity"), title="集中宣传月", due_on=date(2015, 5, 31))
    reported(clerk, reviewer, publicity, 2, Progress.DONE, "宣传月活动已完成", files=("海报.png",))
    return {"meeting": meeting, "signing": signing, "base": base, "publicity": publicity}
