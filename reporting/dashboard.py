"""Reads for the leaders' dashboard: the rollup tables and the plan's definitions only.

Every number comes from ``Rollup`` / ``CompletenessRollup`` through the same conversion as the
progress API (``selectors.indicator_progress``), so the page and the API cannot disagree. The
one read of submissions is ``figures_behind``: the quota drill-down lists the figures behind a
number, narrowed by the access policy. The 重点工作 panel reads the work ledger's approved
step reports through ``targets.work_selectors`` (``work_panel``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from targets import completeness, policy, work_selectors
from targets.models import (
    Department,
    Indicator,
    Milestone,
    Plan,
    Region,
    Submission,
    TargetChange,
    unit_name,
)
from targets.register_selectors import missing_annual_plans

from . import formatting, selectors
from .bulletins.rankings import ranked_counties
from .models import CompletenessRollup, Rollup
from .rollup.rules import status_for
from .rows import GoalBreakdown, GoalPart, IndicatorProgress, Progress, QuotaRow

QUOTA = Indicator.Role.QUOTA
ROLLUP_ORDER = ("indicator__order", "indicator__code", "region__order", "region__code")


def month_choices(plan: Plan) -> list[tuple[str, int]]:
    """The as-of months a leader may pick: ``(YYYY-MM, month)`` for the plan's year."""
    return [(f"{plan.year}-{month:02d}", month) for month in range(1, 13)]


def row_item(row: Rollup, coverage: completeness.Coverage | None = None) -> QuotaRow:
    """A rollup row as the API gives it, plus what a table needs to name and link it.

    With the ``coverage`` of the row's month, it is judged as the API judges it (``pending``
    while any report it needs is not approved) and says who is missing.
    """
    indicator = row.indicator
    reported = coverage.reported(indicator, row.region_id) if coverage is not None else None
    item = selectors.indicator_progress(indicator, row, reported)
    missing = (
        coverage.missing_names(indicator, row.region_id)
        if coverage is not None and item.status == completeness.PENDING
        else []
    )
    return QuotaRow(
        **{f.name: getattr(item, f.name) for f in fields(item)},
        indicator=indicator,
        department_code=indicator.department.code,
        department_short=indicator.department.short_name,
        region=row.region,
        region_code=row.region.code if row.region_id else None,
        place=row.region.name if row.region_id else None,
        month=row.month,
    ).with_missing(missing)


def quota_rollups(plan: Plan, month: int) -> QuerySet[Rollup]:
    """Every quota's rollup rows (city and counties) as of ``month``, for the filters."""
    return (
        Rollup.objects.filter(plan=plan, month=month, indicator__role=QUOTA)
        .select_related("indicator__department", "region")
        .order_by(*ROLLUP_ORDER)
    )


def quota_rows(
    rollups: Iterable[Rollup], coverage: completeness.Coverage | None = None
) -> list[QuotaRow]:
    return [row_item(row, coverage) for row in rollups]


def with_missing(
    items: Iterable[IndicatorProgress],
    coverage: completeness.Coverage,
    region_id: int | None = None,
) -> list[IndicatorProgress]:
    """The city-wide items (goals), or one county's (``region_id``), each pending one with
    who is missing."""
    by_code = {indicator.code: indicator for indicator in coverage.by_id.values()}
    return [
        item.with_missing(
            coverage.missing_names(by_code[item.code], region_id)
            if item.status == completeness.PENDING and item.code in by_code
            else []
        )
        for item in items
    ]


def with_status(rows: list[QuotaRow], status: str | None) -> list[QuotaRow]:
    """The rows of one judged status (``pending`` is not stored: it is filtered here)."""
    return rows if not status else [row for row in rows if row.status == status]


def allocations(plan: Plan) -> list[dict[str, Any]]:
    """Goals only partly allocated to departments: the plan's 61,450 of 70,000 (8,550 open),
    with the codes of the quotas that feed each (``feeding``)."""
    indicators = list(
        Indicator.objects.filter(plan=plan, role__in=[Indicator.Role.GOAL, QUOTA])
        .select_related("department")
        .order_by("order", "code")
    )
    result = []
    for goal in indicators:
        feeding = [i for i in indicators if i.feeds_id == goal.pk]
        if goal.role != Indicator.Role.GOAL or not feeding or goal.target is None:
            continue
        allocated = sum(quota.target or 0 for quota in feeding)
        result.append(
            {
                "goal": goal,
                "quotas": len(feeding),
                "feeding": [quota.code for quota in feeding],
                "target": goal.target,
                "allocated": allocated,
                "unallocated": goal.target - allocated,
            }
        )
    return result


def goal_breakdown(
    progress: Progress | None, allocations: list[dict[str, Any]]
) -> list[GoalBreakdown]:
    """Each goal that quotas feed (``allocations``), broken down so that its parts add up to
    it on the page.

    The rows are the feeding quotas' items, then the goal's own part (其他职业技能培训): the
    figures reported against the goal itself (the goal's actual less its quotas' actuals) and
    the target no quota carries (the plan's 8,550 of 70,000). Only flow quotas feed a flow
    goal, so the subtraction is exact.
    """
    if progress is None:
        return []
    goals = {goal.code: goal for goal in progress.goals}
    quotas = {quota.code: quota for quota in progress.quotas}
    result = []
    for allocation in allocations:
        indicator = allocation["goal"]
        goal = goals.get(indicator.code)
        parts = tuple(quotas[code] for code in allocation["feeding"] if code in quotas)
        if goal is None or not parts or goal.target is None:
            continue
        actual = goal.actual
        own = GoalPart(
            code=goal.code,
            name=indicator.series_name
            or _("%(goal)s（未列入部门任务的部分）") % {"goal": indicator.name},
            department=goal.department,
            kind=goal.kind,
            unit=goal.unit,
            target=goal.target - sum(q.target or 0 for q in parts),
            actual=None if actual is None else actual - sum(q.actual or 0 for q in parts),
        )
        result.append(GoalBreakdown(goal=goal, quotas=parts, own=own))
    return result


def work_panel(plan: Plan, month: int) -> dict[str, Any]:
    """The 重点工作 panel as of ``month``: each item's state, the counts by status, the steps
    overdue (逾期) and the latest approved reports; no report read when no step is set."""
    items = work_selectors.work_items(plan, month)
    has_steps = any(state.steps for state in items)
    return {
        "items": items,
        "counts": [
            {"status": status, "label": label, "count": count}
            for (status, count), label in zip(
                work_selectors.status_counts(items).items(), Milestone.Status.labels, strict=True
            )
        ],
        "overdue": sum(len(state.overdue_steps) for state in items),
        "steps": sum(len(state.steps) for state in items),
        "latest": work_selectors.latest_reports(plan, month) if has_steps else [],
        # 四、（一）: the departments whose annual implementation plan has not been sent.
        "missing_plans": missing_annual_plans(plan),
    }


def cooperating_units(item: Milestone) -> list[str]:
    """A work item's co-operating units (配合单位) as people name them."""
    return [
        unit_name(unit.department, unit.region)
        for unit in item.work_units.select_related("department", "region")
    ]


def city_series(plan: Plan, indicator: Indicator) -> list[Rollup]:
    """An indicator's city-wide rows, January to December."""
    return list(
        Rollup.objects.filter(plan=plan, indicator=indicator, region__isnull=True).order_by("month")
    )


def city_series_of_code(plan: Plan, code: str) -> list[Rollup]:
    """The city-wide rows, January to December, of ``plan``'s indicator with this code (an
    earlier plan's quota or goal to compare with; none if that plan has no such code)."""
    return list(
        Rollup.objects.filter(plan=plan, indicator__code=code, region__isnull=True).order_by(
            "month"
        )
    )


def same_month(plan: Plan, month: int) -> dict[tuple[str, str | None], dict[str, Any]]:
    """An earlier plan's quota rows as of ``month``, by (quota code, county code or None).

    Quotas are matched across plans by their code; the numbers are the rollup's, as the API
    would give them for that plan and month. One query, whatever the data.
    """
    rows = (
        Rollup.objects.filter(plan=plan, month=month, indicator__role=QUOTA)
        .order_by()
        .values_list(
            "indicator__code",
            "region__code",
            "indicator__kind",
            "completion",
            "actual",
            "numerator",
            "denominator",
            "target",
            "target_rate",
        )
    )
    found = {}
    for row in rows:
        code, region_code, kind, completion, actual, numerator, denominator = row[:7]
        is_rate = kind == Indicator.Kind.RATE
        target = row[8] if is_rate else row[7]
        found[code, region_code] = {
            "completion": selectors.rounded(completion),
            # What the page prints: rounded once from the earlier plan's own figures.
            "completion_exact": formatting.completion(kind, actual, target, numerator, denominator),
            "actual": (
                selectors.rounded(Decimal(numerator or 0) / denominator) if denominator else None
            )
            if is_rate
            else actual,
        }
    return found


def with_previous(
    rows: list[QuotaRow], previous: dict[tuple[str, str | None], dict[str, Any]]
) -> list[QuotaRow]:
    """Each row with the earlier plan's completion and actual of the same quota, place, month
    (``None`` where that plan has no such quota or no rollup)."""
    found = []
    for row in rows:
        earlier = previous.get((row.code, row.region_code), {})
        found.append(
            replace(
                row,
                previous_completion=earlier.get("completion"),
                previous_completion_exact=earlier.get("completion_exact"),
                previous_actual=earlier.get("actual"),
            )
        )
    return found


def indicator_rollups(plan: Plan, indicator: Indicator) -> list[Rollup]:
    """An indicator's rows in every county and the city, every month."""
    return list(
        Rollup.objects.filter(plan=plan, indicator=indicator)
        .select_related("indicator__department", "region")
        .order_by("month", "region__order", "region__code")
    )


def heatmap(progress: Progress) -> dict[str, Any]:
    """Department × county: the mean completion of the department's flow and stock quotas in
    the county (``z``), and the mean expected share of the same quotas (``expected``). Rates
    are left out (a rate's completion is not a share of a count, and is never averaged with
    one); a cell with any of its quotas pending (reports missing or not approved) is not
    judged: no value, listed in ``pending``."""
    departments: list[str] = []
    regions: list[str] = []
    completions: dict[tuple[str, str], list[float]] = defaultdict(list)
    expected: dict[tuple[str, str], list[float]] = defaultdict(list)
    pending: set[tuple[str, str]] = set()
    for quota in progress.quotas:
        if quota.kind == Indicator.Kind.RATE:
            continue
        if quota.department not in departments:
            departments.append(quota.department)
        for region in quota.regions:
            if region.name not in regions:
                regions.append(region.name)
            if region.status == completeness.PENDING:
                pending.add((quota.department, region.name))
            elif region.completion is not None:
                completions[quota.department, region.name].append(region.completion)
                expected[quota.department, region.name].append(quota.expected)

    def mean(values: dict[tuple[str, str], list[float]]) -> list[list[float | None]]:
        return [
            [
                (
                    sum(values[department, region]) / len(values[department, region])
                    if values[department, region] and (department, region) not in pending
                    else None
                )
                for region in regions
            ]
            for department in departments
        ]

    marks = [[(department, region) in pending for region in regions] for department in departments]
    return {
        "departments": departments,
        "regions": regions,
        "z": mean(completions),
        "expected": mean(expected),
        "pending": marks,
    }


def county_ranking(progress: Progress) -> list[dict[str, Any]]:
    """The bulletin's (通报) county ranking: each county's mean completion of its split quotas
    against the mean expected share of the same quotas, best first (``bulletin``)."""
    pending = {
        region.code
        for quota in progress.quotas
        if quota.kind != Indicator.Kind.RATE
        for region in quota.regions
        if region.target and region.status == completeness.PENDING
    }
    return [
        {
            "code": standing.code,
            "name": standing.name,
            "quotas": standing.quotas,
            "completion": float(standing.completion),
            "expected": float(standing.expected),
            # A county with a split quota's reports missing is not judged: grey, not coloured.
            "status": completeness.PENDING
            if standing.code in pending
            else status_for(standing.completion, standing.expected),
        }
        for standing in ranked_counties(progress)
    ]


def rate_quotas(progress: Progress) -> list[IndicatorProgress]:
    return [quota for quota in progress.quotas if quota.kind == Indicator.Kind.RATE]


def completeness_by_month(plan: Plan) -> list[dict[str, Any]]:
    """Reports expected, received and on time, all departments together, per month."""
    rows = (
        CompletenessRollup.objects.filter(plan=plan)
        .values("month")
        .annotate(
            total_expected=Sum("expected"),
            total_received=Sum("received"),
            total_on_time=Sum("on_time"),
        )
        .order_by("month")
    )
    return [
        {
            "month": row["month"],
            "expected": row["total_expected"],
            "received": row["total_received"],
            "on_time": row["total_on_time"],
        }
        for row in rows
    ]


def quota_by_code(plan: Plan, code: str) -> Indicator | None:
    return (
        Indicator.objects.select_related("department", "numerator", "denominator")
        .filter(plan=plan, role=QUOTA, code=code)
        .first()
    )


def figures_behind(user: Any, quota: Indicator, month: int) -> QuerySet[Submission]:
    """The current and counted figures behind a quota up to ``month``, as the user may read them.

    A rate's figures are those of its two count series.
    """
    series = [quota.numerator_id, quota.denominator_id] if quota.is_rate else [quota.pk]
    queryset = Submission.objects.filter(
        Q(is_current=True) | Q(is_counted=True), indicator_id__in=series, month__lte=month
    )
    return (
        policy.readable_submissions(user, queryset)
        .select_related("indicator", "region")
        .order_by("month", "region__order", "region__code", "indicator__order", "revision")
    )


def split_remainder(items: Iterable[QuotaRow]) -> int | None:
    """Of one month's city and county rows of a counted quota: target − all splits (县区 and
    市直), when something is left unallocated; ``None`` otherwise (a rate has no split)."""
    items = list(items)
    city = next((item for item in items if item.place is None), None)
    if city is None or city.kind == Indicator.Kind.RATE or city.target is None:
        return None
    split = sum(item.target or 0 for item in items if item.place is not None)
    remainder = city.target - split
    return remainder if remainder > 0 else None


def target_history(quota: Indicator) -> QuerySet[TargetChange]:
    """The quota's target and split changes (年中调整), oldest first."""
    return (
        TargetChange.objects.filter(indicator=quota)
        .select_related("indicator", "region", "actor")
        .order_by("at", "id")
    )


def county_rollups(plan: Plan, region: Region, month: int) -> QuerySet[Rollup]:
    return quota_rollups(plan, month).filter(region=region)


def department_rollups(plan: Plan, department: Department, month: int) -> QuerySet[Rollup]:
    return quota_rollups(plan, month).filter(indicator__department=department)


def as_fraction(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
