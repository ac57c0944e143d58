"""The Python rollup: the reference the SQL statement is tested against, and SQLite's rollup.

``compute`` reads the counted submissions with one aggregate query and returns the rows of a
plan (all indicators, or some) for some as-of months, applying ``rules``; ``rebuild_rows``
replaces the stored rows with them where they differ. ``compute_completeness`` counts the
reports expected, received and received on time (on every database).

The three kinds (DESIGN.md):
- flow: the sum of approved monthly figures up to the as-of month;
- stock: the latest approved figure at or before it (a county's level; the city's level is
  the sum of the counties' latest levels) — never a sum over months;
- rate: the ratio of the year-to-date sums of its numerator and denominator count series;
  no denominator yet means no data (``None``), not 0 %.

A goal's actual is the figures reported for the goal itself plus the quotas that feed it; the
part of its target that no quota carries is reported as ``unallocated``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.expressions import RawSQL

from targets.models import Indicator, Plan, RegionTarget, Submission, is_province, places_of
from targets.periods import deadline

from ..models import Rollup
from ..rows import ROW_FIELDS, ProgressRow
from .rules import (
    FLOW,
    MONTHS,
    RATE,
    STOCK,
    expected_share,
    projection,
    rate_status_for,
    six_places,
    status_for,
)


class Figures:
    """Approved figures of some series, and their year-to-date values per county and month."""

    def __init__(
        self,
        series: list[Indicator],
        region_ids: list[int],
        last: int,
        rows: Iterable[tuple[int, int, int, int]] | None = None,
    ):
        """``rows``: (series, place, month, figure) to read instead of the counted submissions
        (a county's parts' shares of them)."""
        self.kinds = {s.pk: s.kind for s in series}
        self.region_ids = region_ids
        monthly: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        if rows is None:
            rows = (
                Submission.objects.filter(
                    indicator_id__in=list(self.kinds), is_counted=True, month__lte=last
                )
                .values_list("indicator_id", "region_id", "month")
                .annotate(total=Sum("value"))
                .order_by()
            )
        for indicator_id, region_id, month, total in rows:
            monthly[(indicator_id, region_id)][month] = total
        # Year to date per (series, county): a running sum for flows, the latest for stocks.
        self.to_date: dict[tuple[int, int], list[int | None]] = {}
        for key, by_month in monthly.items():
            values: list[int | None] = [None] * 13
            running: int | None = None
            for month in range(1, last + 1):
                figure = by_month.get(month)
                if self.kinds[key[0]] == STOCK:
                    running = figure if figure is not None else running
                elif figure is not None:
                    running = (running or 0) + figure
                values[month] = running
            self.to_date[key] = values

    def value(self, series_id: int, region_id: int | None, month: int) -> int | None:
        """Year to date in one county, or (``region_id`` None) the sum over the counties."""
        if region_id is not None:
            values = self.to_date.get((series_id, region_id))
            return values[month] if values else None
        found = [self.value(series_id, r, month) for r in self.region_ids]
        found = [v for v in found if v is not None]
        return sum(found) if found else None


def needed(wanted: list[Indicator], by_id: dict[int, Indicator]) -> set[int]:
    """The series whose figures the wanted indicators are computed from."""
    feeders = defaultdict(list)
    for indicator in by_id.values():
        if indicator.feeds_id:
            feeders[indicator.feeds_id].append(indicator.pk)
    needed: set[int] = set()
    for indicator in wanted:
        if indicator.kind == RATE:
            needed |= {indicator.numerator_id, indicator.denominator_id}
            continue
        needed.add(indicator.pk)
        needed.update(feeders[indicator.pk])
    return needed


def compute(
    plan: Plan,
    *,
    indicator_ids: Iterable[int] | None = None,
    months: Iterable[int] = MONTHS,
) -> list[ProgressRow]:
    """Rollup rows for a plan: every indicator (or the given ones) × county and city × month."""
    months = sorted(set(months))
    if not months:
        return []
    by_id, wanted = wanted_of(plan, indicator_ids)
    region_ids = list(places_of(plan).order_by("pk").values_list("pk", flat=True))
    figures = Figures([by_id[pk] for pk in needed(wanted, by_id)], region_ids, months[-1])
    splits = _splits(i.pk for i in wanted)

    def target(indicator: Indicator, region_id: int | None) -> int | None:
        return indicator.target if region_id is None else splits.get((indicator.pk, region_id))

    return rows_of(wanted, by_id, figures, [*region_ids, None], months, target)


def wanted_of(
    plan: Plan, indicator_ids: Iterable[int] | None
) -> tuple[dict[int, Indicator], list[Indicator]]:
    """The plan's indicators by id, and those wanted (all, or the given ones) in id order."""
    by_id = {i.pk: i for i in plan.indicators.all()}
    wanted_ids = set(by_id) if indicator_ids is None else set(indicator_ids) & set(by_id)
    return by_id, [by_id[pk] for pk in sorted(wanted_ids)]


def rows_of(
    wanted: list[Indicator],
    by_id: dict[int, Indicator],
    figures: Figures,
    region_ids: list[int | None],
    months: list[int],
    target: Callable[[Indicator, int | None], int | None],
) -> list[ProgressRow]:
    """Each wanted indicator's row in each place (``None``: the sum of the figures' places)
    and month, by the rules, from the figures to date and ``target(indicator, place)``."""
    feeders = _feeders(by_id.values())
    rows: list[ProgressRow] = []
    for indicator in wanted:
        own_series = [indicator.pk] + [f.pk for f in feeders[indicator.pk]]
        unallocated = _unallocated(indicator, feeders[indicator.pk])
        for month in months:
            for region_id in region_ids:
                if indicator.kind == RATE:
                    values = (
                        None,
                        figures.value(indicator.numerator_id, region_id, month),
                        figures.value(indicator.denominator_id, region_id, month),
                    )
                else:
                    parts = [figures.value(series, region_id, month) for series in own_series]
                    found = [part for part in parts if part is not None]
                    values = (sum(found) if found else None, None, None)
                rows.append(
                    _row(
                        indicator,
                        region_id,
                        month,
                        values,
                        target(indicator, region_id),
                        unallocated,
                    )
                )
    return rows


def _splits(indicator_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """The places' targets of these indicators, by (indicator, place)."""
    return {
        (indicator_id, region_id): target
        for indicator_id, region_id, target in RegionTarget.objects.filter(
            indicator_id__in=list(indicator_ids)
        ).values_list("indicator_id", "region_id", "target")
    }


def _feeders(indicators: Iterable[Indicator]) -> dict[int, list[Indicator]]:
    """The quotas that feed each goal, by the goal's id."""
    feeders: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.feeds_id:
            feeders[indicator.feeds_id].append(indicator)
    return feeders


def _unallocated(indicator: Indicator, feeders: list[Indicator]) -> int | None:
    """The part of a goal's target that no quota carries."""
    if feeders and indicator.target is not None:
        return indicator.target - sum(f.target or 0 for f in feeders)
    return None


def _row(
    indicator: Indicator,
    region_id: int | None,
    month: int,
    values: tuple[int | None, int | None, int | None],
    target: int | None,
    unallocated: int | None,
) -> ProgressRow:
    """One row by the rules, from the place's values to date (actual, numerator, denominator)
    and its target: a flow without figures has done 0, a level without any has no data, a rate
    without counts has 0 of 0."""
    actual, numerator, denominator = values
    completion = target_rate = None
    if indicator.kind == RATE:
        actual, target, target_rate = None, None, indicator.target_rate
        numerator, denominator = numerator or 0, denominator or 0
        if denominator and target_rate:
            completion = six_places(Decimal(numerator) / (denominator * target_rate))
    else:
        numerator = denominator = None
        if actual is None and indicator.kind == FLOW:
            actual = 0
        if target and actual is not None:
            completion = six_places(Decimal(actual) / Decimal(target))
    expected = expected_share(indicator.kind, month)
    return ProgressRow(
        indicator_id=indicator.pk,
        region_id=region_id,
        month=month,
        actual=actual,
        numerator=numerator,
        denominator=denominator,
        target=target,
        target_rate=target_rate,
        completion=completion,
        expected=expected,
        status=(
            rate_status_for(numerator, denominator, target_rate)
            if indicator.kind == RATE
            else status_for(completion, expected)
        ),
        projected=projection(indicator.kind, actual, month),
        unallocated=unallocated if region_id is None else None,
    )


def compute_province(
    plan: Plan, *, indicator_ids: Iterable[int] | None = None, months: Iterable[int] = MONTHS
) -> list[ProgressRow]:
    """A province's rows (of every indicator, or the given ones): each city's values are the
    city-level rows of its own plan of the same year (by indicator code), the province's their
    sum (``province.sql`` in Python)."""
    months = sorted(set(months))
    every = sorted(plan.indicators.all(), key=lambda i: i.pk)
    ids = None if indicator_ids is None else set(indicator_ids)
    wanted = [i for i in every if ids is None or i.pk in ids]
    cities = list(places_of(plan).order_by("pk").values_list("pk", flat=True))
    city_of = dict(
        Plan.objects.filter(unit_id__in=cities, year=plan.year).values_list("pk", "unit_id")
    )
    stored: dict[tuple[str, int, int], tuple] = {}
    for plan_id, code, month, *values in Rollup.objects.filter(
        plan_id__in=city_of, region__isnull=True, month__in=months
    ).values_list(
        "plan_id", "indicator__code", "month", "actual", "numerator", "denominator", "target"
    ):
        stored[(code, city_of[plan_id], month)] = tuple(values)
    splits = _splits([i.pk for i in wanted])
    feeders = _feeders(every)
    none = (None, None, None, None)
    rows: list[ProgressRow] = []
    for indicator in wanted:
        unallocated = _unallocated(indicator, feeders[indicator.pk])
        for month in months:
            found = [stored.get((indicator.code, city, month), none) for city in cities]
            for city, (actual, numerator, denominator, own) in zip(cities, found, strict=True):
                target = splits.get((indicator.pk, city), own)
                values = (actual, numerator, denominator)
                rows.append(_row(indicator, city, month, values, target, unallocated))
            total = tuple(_sum(value[column] for value in found) for column in range(3))
            rows.append(_row(indicator, None, month, total, indicator.target, unallocated))
    return rows


def _sum(values: Iterable[int | None]) -> int | None:
    found = [value for value in values if value is not None]
    return sum(found) if found else None


@dataclass(frozen=True)
class CompletenessRow:
    department_id: int
    month: int
    expected: int
    received: int
    on_time: int


def compute_completeness(
    plan: Plan,
    *,
    department_ids: Iterable[int] | None = None,
    months: Iterable[int] = MONTHS,
    indicators: list[Indicator] | None = None,
    regions: int | None = None,
) -> list[CompletenessRow]:
    """Per department × month: cells expected, cells submitted, cells submitted by the deadline.

    A cell counts as received once it was submitted, and as on time when that was before the
    deadline. A figure returned and sent again counts by its first sending: the report reached
    the bureau then, whatever the review asked for afterwards.
    """
    months = sorted(set(months))
    departments = None if department_ids is None else set(department_ids)
    series = [
        (i.pk, i.department_id)
        for i in (plan.indicators.all() if indicators is None else indicators)
        if i.accepts_figures and (departments is None or i.department_id in departments)
    ]
    per_department: dict[int, int] = defaultdict(int)
    for _pk, department_id in series:
        per_department[department_id] += 1
    if not per_department or not months:
        return []
    if regions is None:
        regions = places_of(plan).count()
    if connection.vendor == "postgresql":
        # Each month's deadline read from an array by the month: one step a figure, where a
        # CASE of twelve months takes up to twelve (a third of this query on a large plan).
        due = RawSQL(
            '(%s::timestamptz[])["targets_submission"."month"]',
            ([deadline(plan, m) for m in MONTHS],),
        )
    else:
        due = Case(*(When(month=m, then=Value(deadline(plan, m))) for m in months))
    # A cell's first revision carries its report: corrections only follow an approval of it.
    department_of = dict(series)
    counts: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    figures = Submission.objects.filter(indicator_id__in=list(department_of), revision=1)
    if months != list(MONTHS):
        figures = figures.filter(month__in=months)
    for indicator_id, month, received, on_time in (
        figures.values("indicator_id", "month")
        .annotate(
            received=Count("first_submitted_at"),
            on_time=Count("first_submitted_at", filter=Q(first_submitted_at__lt=due)),
        )
        .values_list("indicator_id", "month", "received", "on_time")
        .order_by()
    ):
        key = (department_of[indicator_id], month)
        counts[key] = (counts[key][0] + received, counts[key][1] + on_time)
    return [
        CompletenessRow(
            department_id=department_id,
            month=month,
            expected=count * regions,
            received=counts.get((department_id, month), (0, 0))[0],
            on_time=counts.get((department_id, month), (0, 0))[1],
        )
        for department_id, count in sorted(per_department.items())
        for month in months
    ]


def rebuild_rows(plan: Plan, *, indicator_ids: set[int] | None, from_month: int) -> tuple[int, int]:
    """The portable way: compute, compare with the stored rows, replace them if any differs.

    Returns (rows in scope, rows that differed)."""
    months = range(from_month, 13)
    if is_province(plan):
        rows = compute_province(plan, indicator_ids=indicator_ids, months=months)
    else:
        rows = compute(plan, indicator_ids=indicator_ids, months=months)
    fresh = {values[:3]: values for values in (_values(row) for row in rows)}
    stored = Rollup.objects.filter(plan=plan, month__gte=from_month)
    if indicator_ids is not None:
        stored = stored.filter(indicator_id__in=indicator_ids)
    # keyed by indicator, region, month
    old = {values[:3]: values for values in stored.values_list(*ROW_FIELDS)}
    differing = sum(fresh.get(key) != old.get(key) for key in fresh.keys() | old.keys())
    if differing:
        stored.delete()
        Rollup.objects.bulk_create(
            (Rollup(plan=plan, **asdict(row)) for row in rows), batch_size=2000
        )
    return len(rows), differing


def _values(row: ProgressRow) -> tuple:
    return tuple(getattr(row, name) for name in ROW_FIELDS)
