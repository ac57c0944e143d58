"""The 工作台账 tests' shared pieces: the plan's work items, a step set and a report taken
through the services, every row they write."""

from __future__ import annotations

from datetime import date
from typing import Any

from targets import services
from targets.models import (
    AuditEntry,
    Department,
    Milestone,
    Plan,
    Region,
    StepReport,
    StepReportEvent,
    WorkStep,
    WorkUnit,
)

Progress = Milestone.Status
Status = StepReport.Status

# Led by the hrss city-wide (三个对接行动); led by hrss in 鹤山区 (鹤山区品牌培训基地).
CITY_ITEM = "three-matchings"
HESHAN_ITEM = "heshan-brand-base"


def item(plan: Plan, code: str = CITY_ITEM) -> Milestone:
    return plan.milestones.get(code=code)


def cooperate(milestone: Milestone, department: str, region: str | None = None) -> WorkUnit:
    """Make ``department`` (in ``region``) a co-operating unit of the item."""
    return WorkUnit.objects.create(
        milestone=milestone,
        department=Department.objects.get(code=department),
        region=Region.objects.get(code=region) if region else None,
    )


def step(
    actor: Any,
    milestone: Milestone,
    department: str = "hrss",
    region: str | None = None,
    title: str = "召开对接会",
    due_on: date = date(2015, 6, 30),
) -> WorkStep:
    return services.work_step_set(
        actor=actor,
        milestone=milestone,
        department=Department.objects.get(code=department),
        region=Region.objects.get(code=region) if region else None,
        title=title,
        due_on=due_on,
    )


def report(
    clerk: Any,
    reviewer: Any,
    work_step: WorkStep,
    month: int,
    progress: str = Progress.IN_PROGRESS,
    status: str = Status.APPROVED,
) -> StepReport:
    """A report of ``work_step`` for ``month`` taken to ``status`` through the services."""
    saved = services.step_report_save(
        actor=clerk, step=work_step, month=month, progress=progress, done="召开了对接会"
    )
    if status != Status.DRAFT:
        services.step_report_submit(actor=clerk, report=saved)
    if status == Status.APPROVED:
        services.step_report_approve(actor=reviewer, report=saved)
    elif status == Status.RETURNED:
        services.step_report_return(actor=reviewer, report=saved, comment="请补充")
    saved.refresh_from_db()
    return saved


def written() -> dict[str, list[dict[str, Any]]]:
    """Every row the work services write, to show that a refusal wrote nothing."""
    return {
        "steps": list(WorkStep.objects.order_by("pk").values()),
        "reports": list(StepReport.objects.order_by("pk").values()),
        "events": list(StepReportEvent.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def trail(saved: StepReport) -> list[tuple[str, str, str, str, str]]:
    return [
        (e.action, e.actor.username, e.old_status, e.new_status, e.reason)
        for e in StepReportEvent.objects.filter(report=saved).order_by("at", "pk")
    ]
