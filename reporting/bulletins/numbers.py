"""The numbers a bulletin is written from (``collect``) and how they are stored with a
published one (``stored``, ``from_stored``)."""

from __future__ import annotations

from typing import Any

from targets.completeness import gaps, missing_reports
from targets.models import Department, Indicator, Plan, Region, places_of
from targets.work_selectors import status_counts, work_items

from .. import api, selectors
from ..rows import IndicatorProgress, Progress, RegionProgress

CITY_KIND = "city"  # a region item of this kind is 市直: city-level units, not a county


def outstanding(plan: Plan, month: int) -> list[dict[str, Any]]:
    """Departments × places whose ``month`` report is not fully approved (the reminders'
    list, ``targets.completeness.missing_reports``): the series expected, sent (approved or
    waiting for review) and approved, as stored with a published bulletin."""
    return [
        {
            "department": report.department.code,
            "department_name": report.department.name,
            "region": report.region.code,
            "region_name": report.region.name,
            "expected": report.expected,
            "sent": report.approved + report.sent,
            "approved": report.approved,
        }
        for report in missing_reports(plan, month)
    ]


def reporting_departments(plan: Plan) -> int:
    """Departments with series: each owes one report a month per place."""
    return (
        Indicator.objects.filter(plan=plan, accepts_figures=True)
        .values("department_id")
        .distinct()
        .count()
    )


def reports_owed(plan: Plan) -> int:
    """Reports owed a month: one per department with series, per place."""
    return reporting_departments(plan) * places_of(plan).count()


def gap_rows(plan: Plan, month: int) -> list[dict[str, Any]]:
    """Departments × places with reports of ``month`` missing or late, as stored."""
    return [
        {
            "department": gap.department,
            "department_name": gap.department_name,
            "region": gap.region,
            "region_name": gap.region_name,
            "missing": gap.missing,
            "late": gap.late,
        }
        for gap in gaps(plan, month)
    ]


def breakdowns(plan: Plan, progress: Progress) -> list[dict[str, Any]]:
    """Each goal that quotas feed, as its parts: the quotas, and the goal's own figures (those
    of no quota, against the part of the target left to no quota), so the parts add up."""
    quotas = {q.code: q for q in progress.quotas}
    found = []
    for goal in progress.goals:
        if goal.kind != Indicator.Kind.FLOW:
            continue
        indicator = Indicator.objects.filter(plan=plan, code=goal.code).first()
        if indicator is None:
            continue
        fed_by = [
            code
            for code in Indicator.objects.filter(plan=plan, feeds=indicator)
            .order_by("order", "code")
            .values_list("code", flat=True)
            if code in quotas
        ]
        if not fed_by:
            continue
        parts = sum(quotas[code].actual or 0 for code in fed_by)
        own_name = (indicator.series_name or "").split("（")[0].strip() or goal.name
        found.append(
            {
                "goal": goal.code,
                "quotas": fed_by,
                "own_name": own_name,
                "own_actual": None if goal.actual is None else goal.actual - parts,
                "own_target": goal.unallocated or 0,
            }
        )
    return found


def bulletin_unit(department: Department, region: Region | None) -> str:
    """A responsible unit as a bulletin names it: 人力资源社会保障局, 鹤山区人力资源社会保障局."""
    return department.name if region is None else f"{region.name}{department.name}"


def work(plan: Plan, month: int) -> dict[str, Any]:
    """The work items as of ``month`` (approved step reports only), as stored with a published
    bulletin: counts by status, and the items and steps 滞后 (a step's ``overdue``: 逾期)."""
    items = work_items(plan, month)
    delayed_steps = [
        {
            "item": state.item.title,
            "title": step.step.title,
            "unit": bulletin_unit(step.step.department, step.step.region),
            "due_on": step.step.due_on.isoformat(),
            "overdue": step.overdue,
        }
        for state in items
        for step in state.steps
        if step.status == "delayed"
    ]
    return {
        "counts": status_counts(items),
        "items": len(items),
        "steps": sum(len(state.steps) for state in items),
        "overdue": sum(1 for step in delayed_steps if step["overdue"]),
        "delayed_items": [
            {
                "code": state.item.code,
                "title": state.item.title,
                "unit": bulletin_unit(state.item.department, state.item.region),
            }
            for state in items
            if state.status == "delayed"
        ],
        "delayed_steps": delayed_steps,
    }


def collect(plan: Plan, month: int) -> dict[str, Any] | None:
    """The numbers a bulletin is written from; None before the month is rolled up."""
    found = selectors.progress(plan, month)
    if found is None:
        return None
    return {
        "progress": found,
        "gaps": gap_rows(plan, month),
        "outstanding": outstanding(plan, month),
        "reports": reports_owed(plan),
        "breakdowns": breakdowns(plan, found),
        "deadline_day": plan.deadline_day,
        "work": work(plan, month),
    }


def stored(numbers: dict[str, Any]) -> dict[str, Any]:
    """The numbers as stored with a published bulletin: the progress as the API's document
    (``work`` is plain JSON already, so the 重点工作进展 section is frozen with them); a
    county's split quotas (``parts``) as the API writes them."""
    found = {**numbers, "progress": api.document(numbers["progress"])}
    if "parts" in numbers:
        found["parts"] = [api.split_item(quota) for quota in numbers["parts"]]
    return found


def from_stored(numbers: dict[str, Any]) -> dict[str, Any]:
    """A published bulletin's stored numbers, to word them again (in another language)."""
    found = {**numbers, "progress": api.progress_from_document(numbers["progress"])}
    if "parts" in numbers:
        found["parts"] = [api.split_from_item(quota) for quota in numbers["parts"]]
    return found


def is_pending(item: IndicatorProgress | RegionProgress) -> bool:
    """Not judged: the as-of month's reports behind the row are not all approved."""
    if item.status == "pending":
        return True
    reported = item.reported
    return reported is not None and reported.approved < reported.expected


def is_city_place(row: RegionProgress) -> bool:
    return row.kind == CITY_KIND
