"""What the clerk's 工作台账 pages read: the plan, the units the clerk covers, their steps and
their reports of a month. Every read is narrowed by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ... import policy
from ...grid import open_months
from ...models import (
    EvidenceFile,
    Milestone,
    Plan,
    StepReport,
    StepReportEvidence,
    WorkStep,
    unit_name,
)
from ...selectors import plan_for
from ...work_selectors import StepState, latest_counted, month_end, step_state

Status = StepReport.Status
Progress = Milestone.Status
Unit = tuple[int, int | None]


def covers(user: Any, unit: Unit) -> bool:
    """Does the clerk report for this unit? The policy's question about a step of the unit."""
    department_id, region_id = unit
    return policy.may_report_step(user, WorkStep(department_id=department_id, region_id=region_id))


def item_units(item: Milestone) -> list[Unit]:
    """The item's responsible units, lead first, from its prefetched ``work_units``."""
    units: list[Unit] = [(item.department_id, item.region_id)]
    units += [(unit.department_id, unit.region_id) for unit in item.work_units.all()]
    return units


def unit_key(unit: Unit) -> str:
    department_id, region_id = unit
    return f"{department_id}-{region_id or 0}"


def unit_label(item: Milestone, unit: Unit) -> str:
    """A unit of ``item`` as people name it (人社局, 人社局（浚县）)."""
    department_id, region_id = unit
    if (department_id, region_id) == (item.department_id, item.region_id):
        return unit_name(item.department, item.region)
    for work_unit in item.work_units.all():
        if (work_unit.department_id, work_unit.region_id) == unit:
            return unit_name(work_unit.department, work_unit.region)
    return ""


def work_plan(user: Any, year: int) -> Plan:
    """The plan of ``year`` a clerk reports into; else 404."""
    plan = plan_for(user, year, to_enter=True)
    if plan is None:
        raise Http404(_("没有 %(year)s 年的方案。") % {"year": year})
    return plan


def check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise Http404(_("月份必须在 1 到 12 之间。"))


def latest_month(plan: Plan) -> int:
    """The month the clerk's overview is about: the latest begun month of the plan."""
    months = open_months(plan)
    return months[-1] if months else 1


def items_of(plan: Plan) -> QuerySet[Milestone]:
    return (
        plan.milestones.select_related("department", "region")
        .prefetch_related("work_units__department", "work_units__region")
        .order_by("order", "code")
    )


def my_items(user: Any, plan: Plan) -> list[Milestone]:
    """The plan's work items the clerk's unit answers for, as lead or co-operating unit."""
    return [item for item in items_of(plan) if any(covers(user, u) for u in item_units(item))]


def my_steps(user: Any, plan: Plan) -> list[WorkStep]:
    """The plan's steps of the units the clerk covers, in the items' order."""
    steps = (
        WorkStep.objects.filter(milestone__plan=plan)
        .select_related("milestone", "department", "region")
        .order_by("milestone__order", "milestone__code", "order", "due_on", "pk")
    )
    return [step for step in steps if policy.may_report_step(user, step)]


def evidence_prefetch() -> Prefetch:
    links = StepReportEvidence.objects.select_related("evidence").order_by("evidence__uploaded_at")
    return Prefetch("evidence_links", queryset=links)


def files_of(report: StepReport | None) -> list[EvidenceFile]:
    if report is None:
        return []
    return [link.evidence for link in report.evidence_links.all()]


@dataclass
class StepRow:
    """A step on the month page: where it stands, its report of the month and that report's
    files, and what the clerk may do with it now."""

    step: WorkStep
    state: StepState
    report: StepReport | None
    files: list[EvidenceFile] = field(default_factory=list)
    form: Any = None

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.status in (Status.DRAFT, Status.RETURNED)

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ""


def month_rows(user: Any, plan: Plan, month: int) -> list[StepRow]:
    """The clerk's steps for ``month``: each with its current report and its state as of the
    month's end (逾期 when due before then and not done)."""
    steps = my_steps(user, plan)
    current = {
        report.step_id: report
        for report in StepReport.objects.filter(step__in=steps, month=month, is_current=True)
        .select_related("reviewed_by")
        .prefetch_related(evidence_prefetch())
    }
    counted = latest_counted(steps, month)
    as_of = month_end(plan, month)
    rows = []
    for step in steps:
        report = current.get(step.pk)
        rows.append(
            StepRow(
                step=step,
                state=step_state(step, counted.get(step.pk), as_of),
                report=report,
                files=files_of(report),
            )
        )
    return rows
