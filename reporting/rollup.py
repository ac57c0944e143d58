"""The rollup: approved figures → progress per indicator × county-or-city × as-of month.

Plain functions, no Celery and no request inside. ``compute`` reads the counted submissions
with one aggregate query and returns rows; ``rebuild`` replaces the stored rows of a plan (all
indicators, or those one approval touched) in one transaction, so a reader sees the old rollup
or the new one, never half of each, and a rerun writes identical rows.

The three kinds (DESIGN.md):
- flow: the sum of approved monthly figures up to the as-of month;
- stock: the latest approved figure at or before it (a county's level; the city's level is
  the sum of the counties' latest levels) — never a sum over months;
- rate: the ratio of the year-to-date sums of its numerator and denominator count series;
  no denominator yet means no data (``None``), not 0 %.

A goal's actual is the figures reported for the goal itself plus the quotas that feed it; the
part of its target that no quota carries is reported as ``unallocated``.

Time progress: flows are judged against the share of the year elapsed (m/12); a level is
judged against its whole target at any month. Green at or above the expected share, amber
within ``AMBER_MARGIN_POINTS`` points below it, red further below; no status without data or
without a target. A rate is judged in rate bands: its rate against the target rate, amber
within ``AMBER_MARGIN_POINTS`` percentage points of the rate below it (``rate_status_for``).
"""

from __future__ import annotations

import os
import queue
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from targets.models import Indicator, Plan, Region, RegionTarget, Submission
from targets.periods import deadline

from . import rollup_sql
from .models import CompletenessRollup, Rollup, RollupRun
from .rows import ROW_FIELDS, ProgressRow

MONTHS = range(1, 13)
SIX_PLACES = Decimal("0.000001")
FLOW, STOCK, RATE = Indicator.Kind.FLOW, Indicator.Kind.STOCK, Indicator.Kind.RATE


def _six(value: Decimal) -> Decimal:
    return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def expected_share(kind: str, month: int) -> Decimal:
    """Share of the target expected by the end of ``month``: m/12 for flows, all of it else."""
    if kind == FLOW:
        return _six(Decimal(month) / Decimal(12))
    return Decimal(1)


def status_for(completion: Decimal | None, expected: Decimal) -> str | None:
    """A flow's or a level's colour: its completion against the expected share (flow bands)."""
    if completion is None:
        return None
    if completion >= expected:
        return Rollup.Status.GREEN
    margin = Decimal(settings.AMBER_MARGIN_POINTS) / Decimal(100)
    if completion >= expected - margin:
        return Rollup.Status.AMBER
    return Rollup.Status.RED


def rate_status_for(
    numerator: int | None, denominator: int | None, target_rate: Decimal | None
) -> str | None:
    """A rate's colour, in rate bands: green at or above the target rate, amber within
    ``AMBER_MARGIN_POINTS`` percentage points of the rate below it, red further below.

    Points of the rate, not of completion: 79 % against 90 % is 11 points behind (red) though
    its completion, 87.8 %, would be amber in flow bands. Compared exactly (numerator against
    denominator × rate), as the SQL statement does. No status without a denominator or target.
    """
    if not denominator or not target_rate:
        return None
    if numerator is None:
        numerator = 0
    if numerator >= denominator * target_rate:
        return Rollup.Status.GREEN
    margin = Decimal(settings.AMBER_MARGIN_POINTS) / Decimal(100)
    if numerator >= denominator * (target_rate - margin):
        return Rollup.Status.AMBER
    return Rollup.Status.RED


def projection(kind: str, actual: int | None, month: int) -> int | None:
    """Year-end figure at the run-rate to date (a level stays where it is)."""
    if actual is None:
        return None
    if kind == FLOW:
        return int((Decimal(actual) * 12 / Decimal(month)).quantize(Decimal(1), ROUND_HALF_UP))
    return actual


class _Figures:
    """Approved figures of some series, and their year-to-date values per county and month."""

    def __init__(self, plan: Plan, series: list[Indicator], region_ids: list[int], last: int):
        self.kinds = {s.pk: s.kind for s in series}
        self.region_ids = region_ids
        monthly: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
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


def _needed(wanted: list[Indicator], by_id: dict[int, Indicator]) -> set[int]:
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


def affected_by(
    plan: Plan, indicator_ids: Iterable[int], indicators: list[Indicator] | None = None
) -> set[int]:
    """The indicators whose rollups change when figures of these series change."""
    changed = set(indicator_ids)
    affected = set(changed)
    for indicator in plan.indicators.all() if indicators is None else indicators:
        if {indicator.numerator_id, indicator.denominator_id} & changed:
            affected.add(indicator.pk)
        if indicator.pk in changed and indicator.feeds_id:
            affected.add(indicator.feeds_id)
    return affected


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
    by_id = {i.pk: i for i in plan.indicators.all()}
    wanted_ids = set(by_id) if indicator_ids is None else set(indicator_ids) & set(by_id)
    wanted = [by_id[pk] for pk in sorted(wanted_ids)]
    region_ids = list(Region.objects.order_by("pk").values_list("pk", flat=True))
    needed = _needed(wanted, by_id)
    figures = _Figures(plan, [by_id[pk] for pk in needed], region_ids, months[-1])
    splits = {
        (indicator_id, region_id): target
        for indicator_id, region_id, target in RegionTarget.objects.filter(
            indicator_id__in=wanted_ids
        ).values_list("indicator_id", "region_id", "target")
    }
    feeders: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in by_id.values():
        if indicator.feeds_id:
            feeders[indicator.feeds_id].append(indicator)

    rows: list[ProgressRow] = []
    for indicator in wanted:
        own_series = [indicator.pk] + [f.pk for f in feeders[indicator.pk]]
        unallocated = None
        if feeders[indicator.pk] and indicator.target is not None:
            unallocated = indicator.target - sum(f.target or 0 for f in feeders[indicator.pk])
        for month in months:
            expected = expected_share(indicator.kind, month)
            for region_id in [*region_ids, None]:
                numerator = denominator = actual = completion = None
                if indicator.kind == RATE:
                    numerator = figures.value(indicator.numerator_id, region_id, month) or 0
                    denominator = figures.value(indicator.denominator_id, region_id, month) or 0
                    target, target_rate = None, indicator.target_rate
                    if denominator and target_rate:
                        completion = _six(Decimal(numerator) / (denominator * target_rate))
                else:
                    parts = [figures.value(series, region_id, month) for series in own_series]
                    found = [part for part in parts if part is not None]
                    if found:
                        actual = sum(found)
                    elif indicator.kind == FLOW:
                        actual = 0
                    target = (
                        indicator.target
                        if region_id is None
                        else splits.get((indicator.pk, region_id))
                    )
                    target_rate = None
                    if target and actual is not None:
                        completion = _six(Decimal(actual) / Decimal(target))
                rows.append(
                    ProgressRow(
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
                )
    return rows


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
        regions = Region.objects.count()
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


def _rebuild_rows(plan: Plan, *, indicator_ids: set[int] | None, months: range) -> tuple[int, int]:
    """The portable way: compute in Python, compare, replace. Returns (rows, rows differing)."""
    rows = compute(plan, indicator_ids=indicator_ids, months=months)
    fresh = {_key(values): values for values in (_values(row) for row in rows)}
    stored = {_key(values): values for values in _stored(plan, indicator_ids, months[0])}
    differing = sum(fresh.get(key) != stored.get(key) for key in fresh.keys() | stored.keys())
    if differing:
        scope = Rollup.objects.filter(plan=plan, month__in=months)
        if indicator_ids is not None:
            scope = scope.filter(indicator_id__in=indicator_ids)
        scope.delete()
        Rollup.objects.bulk_create(
            (Rollup(plan=plan, **asdict(row)) for row in rows), batch_size=2000
        )
    return len(rows), differing


def _all_places_stored(plan: Plan, indicator_ids: set[int] | None, expected: int) -> bool:
    """Whether every county of these indicators has a stored row (December's, the last written)."""
    stored = Rollup.objects.filter(plan=plan, region__isnull=False, month=12)
    if indicator_ids is not None:
        stored = stored.filter(indicator_id__in=indicator_ids)
    return stored.count() == expected


def _values(row: ProgressRow) -> tuple:
    return tuple(getattr(row, name) for name in ROW_FIELDS)


def _key(values: tuple) -> tuple:
    return values[:3]  # indicator, region, month


def _stored(plan: Plan, indicator_ids: set[int] | None, from_month: int) -> list[tuple]:
    stored = Rollup.objects.filter(plan=plan, month__gte=from_month)
    if indicator_ids is not None:
        stored = stored.filter(indicator_id__in=indicator_ids)
    return list(stored.values_list(*ROW_FIELDS))


@transaction.atomic
def rebuild(
    plan: Plan,
    *,
    indicator_ids: Iterable[int] | None = None,
    from_month: int = 1,
    kind: str = RollupRun.Kind.FULL,
    compare: bool = False,
    completeness_months: Iterable[int] | None = None,
    region_ids: Iterable[int] | None = None,
    analyze: bool = True,
) -> RollupRun:
    """Replace the stored rollup of a plan (or of some indicators) from ``from_month`` on.

    Two rebuilds of one plan never interleave: each holds the plan's row lock until it
    commits. With ``compare``, rows that differ from what was stored are counted as drift.
    """
    started, clock = timezone.now(), time.perf_counter()
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    months = range(max(1, from_month), 13)
    ids = None if indicator_ids is None else set(indicator_ids)
    indicators = list(plan.indicators.all())
    region_count = Region.objects.count()
    regions = None if region_ids is None else set(region_ids)
    if regions is not None:
        wanted = len(indicators) if ids is None else len(ids)
        if not _all_places_stored(plan, ids, wanted * region_count):
            regions = None  # the city is summed from stored county rows: all must be there
    if connection.vendor == "postgresql":
        count, differing = rollup_sql.rebuild_rows(
            plan,
            indicator_ids=ids,
            from_month=months[0],
            region_ids=regions,
            indicators=indicators,
            region_count=region_count,
            analyze=analyze,
        )
    else:
        count, differing = _rebuild_rows(plan, indicator_ids=ids, months=months)
    drift = differing if compare else 0

    departments = None
    if ids is not None:
        departments = {i.department_id for i in indicators if i.pk in ids}
    counted_months = months if completeness_months is None else sorted(set(completeness_months))
    completeness = compute_completeness(
        plan,
        department_ids=departments,
        months=counted_months,
        indicators=indicators,
        regions=region_count,
    )
    stale = CompletenessRollup.objects.filter(plan=plan, month__in=counted_months)
    if departments is not None:
        stale = stale.filter(department_id__in=departments)
    stale.delete()
    CompletenessRollup.objects.bulk_create(
        CompletenessRollup(plan=plan, **asdict(row)) for row in completeness
    )

    codes = "" if ids is None else ",".join(sorted(i.code for i in indicators if i.pk in ids))
    run = RollupRun.objects.create(
        plan=plan,
        kind=kind,
        from_month=months[0],
        indicator_codes=codes,
        started_at=started,
        duration_ms=round((time.perf_counter() - clock) * 1000),
        rows=count,
        drift=drift,
    )
    run.written = differing  # not stored: rows written, for the caller's statistics
    return run


def rebuild_plans(
    plans: Iterable[Plan],
    *,
    kind: str = RollupRun.Kind.FULL,
    compare: bool = False,
    jobs: int | None = None,
) -> list[RollupRun]:
    """Rebuild several plans, each in its own transaction, in the order given.

    On PostgreSQL up to ``jobs`` plans (by default one per CPU) are rebuilt at once, each on
    its own connection: a plan's rebuild is one statement, which PostgreSQL runs on one core.
    Inside a caller's transaction, or on SQLite (one writer at a time), one after another.
    """
    plans = list(plans)
    wanted = (os.cpu_count() or 1) if jobs is None else jobs
    jobs = max(1, min(wanted, len(plans)))
    if jobs == 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        runs = [rebuild(plan, kind=kind, compare=compare, analyze=False) for plan in plans]
    else:
        # Each thread takes the next plan until none is left, on one connection of its own
        # for all its plans: a new connection is a new server process, which would have to
        # load its catalog caches and plan the statement cold for every plan.
        waiting: queue.SimpleQueue[tuple[int, Plan]] = queue.SimpleQueue()
        for item in enumerate(plans):
            waiting.put(item)
        done: dict[int, RollupRun] = {}

        def work() -> None:
            try:
                while True:
                    try:
                        index, plan = waiting.get_nowait()
                    except queue.Empty:
                        return
                    done[index] = rebuild(plan, kind=kind, compare=compare, analyze=False)
            finally:
                connections.close_all()  # this thread's own connections

        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="rollup") as pool:
            for future in [pool.submit(work) for _ in range(jobs)]:
                future.result()  # a plan's error is raised here, as the plan's own
        runs = [done[index] for index in range(len(plans))]
    if connection.vendor == "postgresql" and sum(run.written for run in runs) > rollup_sql.BULK:
        # Once for all the plans (a first build writes every row), not once a plan.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_rollup")
    return runs


def rebuild_after_change(
    plan: Plan,
    *,
    series_ids: Iterable[int],
    from_month: int,
    months: Iterable[int] | None = None,
    regions: Iterable[int] | None = None,
) -> RollupRun:
    """The incremental rollup: only what figures of these series, from this month on, touch.

    Report counts change only in the months whose figures changed (``months``; by default
    every month from ``from_month``); rows only in the counties whose figures changed
    (``regions``; by default all) and the city.
    """
    return rebuild(
        plan,
        indicator_ids=affected_by(plan, series_ids),
        from_month=from_month,
        kind=RollupRun.Kind.INCREMENTAL,
        completeness_months=months,
        region_ids=regions,
    )
