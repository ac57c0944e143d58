"""Reads of 工作台账: a plan's work items and their steps as of a month.

Only approved reports count (``StepReport.is_counted``), of the as-of month or earlier; the
as-of date is the month's last day.

A step's status as of the month: 已完成 when its latest counted report up to the month says
so; otherwise 滞后 when it is overdue (due before the as-of date) or that report says 滞后;
otherwise that report's status (未开始 or 推进中); 未开始 without any.

An item's status as of the month: 已完成 when it has steps and all are done; otherwise 滞后
when any step is 滞后 or the item's own 完成时限 has passed; otherwise 推进中 when any step
has a counted report; otherwise 未开始.

Evidence counts are of the distinct files attached to a step's counted reports of the as-of
month or earlier (an item's: of all its steps), read in one query for the whole plan.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .models import Milestone, Plan, StepReport, StepReportEvidence, WorkStep

Progress = Milestone.Status


@dataclass(frozen=True)
class StepState:
    step: WorkStep
    status: str
    overdue: bool
    report: StepReport | None  # the latest counted report up to the month
    evidence: frozenset[int] = field(default=frozenset())  # files of its counted reports

    @property
    def evidence_count(self) -> int:
        return len(self.evidence)

    @property
    def status_label(self) -> str:
        return str(Progress(self.status).label)


@dataclass(frozen=True)
class ItemState:
    item: Milestone
    status: str
    steps: list[StepState]

    @property
    def evidence_count(self) -> int:
        """Distinct files attached to the item's counted reports up to the month."""
        return len(frozenset().union(*(state.evidence for state in self.steps)))

    @property
    def status_label(self) -> str:
        return str(Progress(self.status).label)

    @property
    def overdue_steps(self) -> list[StepState]:
        return [state for state in self.steps if state.overdue]


def month_end(plan: Plan, month: int) -> date:
    """The last day of ``month`` in the plan's year: the as-of date."""
    return date(plan.year, month, calendar.monthrange(plan.year, month)[1])


def step_state(
    step: WorkStep,
    report: StepReport | None,
    as_of: date,
    evidence: frozenset[int] = frozenset(),
) -> StepState:
    done = report is not None and report.progress == Progress.DONE
    overdue = not done and step.due_on < as_of
    if done:
        status = Progress.DONE
    elif overdue or (report is not None and report.progress == Progress.DELAYED):
        status = Progress.DELAYED
    else:
        status = report.progress if report is not None else Progress.NOT_STARTED
    return StepState(step=step, status=status, overdue=overdue, report=report, evidence=evidence)


def item_status(item: Milestone, steps: list[StepState], as_of: date) -> str:
    if steps and all(state.status == Progress.DONE for state in steps):
        return Progress.DONE
    if item.due_on < as_of or any(state.status == Progress.DELAYED for state in steps):
        return Progress.DELAYED
    if any(state.report is not None for state in steps):
        return Progress.IN_PROGRESS
    return Progress.NOT_STARTED


def latest_counted(steps: Iterable[WorkStep], month: int) -> dict[int, StepReport]:
    """Each step's latest counted report of ``month`` or earlier, by step id."""
    reports = (
        StepReport.objects.filter(step__in=list(steps), is_counted=True, month__lte=month)
        .select_related("reviewed_by")
        .order_by("step_id", "month")
    )
    return {report.step_id: report for report in reports}


def counted_evidence(plan: Plan, month: int, code: str | None = None) -> dict[int, frozenset[int]]:
    """The evidence files (ids) of each step's counted reports of ``month`` or earlier, by step
    id: one query for the plan (or one item of it)."""
    links = StepReportEvidence.objects.filter(
        report__step__milestone__plan=plan, report__is_counted=True, report__month__lte=month
    )
    if code is not None:
        links = links.filter(report__step__milestone__code=code)
    found: dict[int, set[int]] = {}
    for step_id, evidence_id in links.values_list("report__step_id", "evidence_id").distinct():
        found.setdefault(step_id, set()).add(evidence_id)
    return {step_id: frozenset(files) for step_id, files in found.items()}


def work_items(plan: Plan, month: int, code: str | None = None) -> list[ItemState]:
    """The plan's work items in order (or the one of ``code``), each with its status and its
    steps' as of ``month``: four queries, whatever the number of items, steps and reports."""
    as_of = month_end(plan, month)
    items = plan.milestones.select_related("department", "region").order_by("order", "code")
    steps = WorkStep.objects.filter(milestone__plan=plan).select_related("department", "region")
    if code is not None:
        items, steps = items.filter(code=code), steps.filter(milestone__code=code)
    items, steps = list(items), list(steps)
    reports = latest_counted(steps, month) if steps else {}
    evidence = counted_evidence(plan, month, code) if steps else {}
    by_item: dict[int, list[StepState]] = {item.pk: [] for item in items}
    for step in steps:
        by_item[step.milestone_id].append(
            step_state(step, reports.get(step.pk), as_of, evidence.get(step.pk, frozenset()))
        )
    return [
        ItemState(
            item=item, status=item_status(item, by_item[item.pk], as_of), steps=by_item[item.pk]
        )
        for item in items
    ]


def status_counts(items: Iterable[ItemState]) -> dict[str, int]:
    """How many items are in each status (every status named, 0 when none), in their order."""
    counted = Counter(state.status for state in items)
    return {status: counted[status] for status in Progress.values}


def latest_reports(plan: Plan, month: int, limit: int = 5) -> list[StepReport]:
    """The plan's most recently approved counted step reports of ``month`` or earlier."""
    return list(
        StepReport.objects.filter(step__milestone__plan=plan, is_counted=True, month__lte=month)
        .select_related("step__milestone", "step__department", "step__region", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
