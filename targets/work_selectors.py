"""Reads of 工作台账: a plan's work items and their steps as of a month.

Only approved reports count (``StepReport.is_counted``), of the as-of month or earlier; the
as-of date is the month's last day.

A step's status as of the month: 已完成 when its latest counted report up to the month says
so; otherwise 滞后 when it is overdue (due before the as-of date) or that report says 滞后;
otherwise that report's status (未开始 or 推进中); 未开始 without any.

An item's status as of the month: 已完成 when it has steps and all are done; otherwise 滞后
when any step is 滞后 or the item's own 完成时限 has passed; otherwise 推进中 when any step
has a counted report; otherwise 未开始.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .models import Milestone, Plan, StepReport, WorkStep

Progress = Milestone.Status


@dataclass(frozen=True)
class StepState:
    step: WorkStep
    status: str
    overdue: bool
    report: StepReport | None  # the latest counted report up to the month


@dataclass(frozen=True)
class ItemState:
    item: Milestone
    status: str
    steps: list[StepState]


def month_end(plan: Plan, month: int) -> date:
    """The last day of ``month`` in the plan's year: the as-of date."""
    return date(plan.year, month, calendar.monthrange(plan.year, month)[1])


def step_state(step: WorkStep, report: StepReport | None, as_of: date) -> StepState:
    done = report is not None and report.progress == Progress.DONE
    overdue = not done and step.due_on < as_of
    if done:
        status = Progress.DONE
    elif overdue or (report is not None and report.progress == Progress.DELAYED):
        status = Progress.DELAYED
    else:
        status = report.progress if report is not None else Progress.NOT_STARTED
    return StepState(step=step, status=status, overdue=overdue, report=report)


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
    reports = StepReport.objects.filter(
        step__in=list(steps), is_counted=True, month__lte=month
    ).order_by("step_id", "month")
    return {report.step_id: report for report in reports}


def work_items(plan: Plan, month: int) -> list[ItemState]:
    """The plan's work items in order, each with its status and its steps' as of ``month``."""
    as_of = month_end(plan, month)
    items = list(plan.milestones.select_related("department", "region").order_by("order", "code"))
    steps = list(
        WorkStep.objects.filter(milestone__plan=plan).select_related("department", "region")
    )
    reports = latest_counted(steps, month)
    by_item: dict[int, list[StepState]] = {item.pk: [] for item in items}
    for step in steps:
        by_item[step.milestone_id].append(step_state(step, reports.get(step.pk), as_of))
    return [
        ItemState(
            item=item, status=item_status(item, by_item[item.pk], as_of), steps=by_item[item.pk]
        )
        for item in items
    ]
