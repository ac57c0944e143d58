"""Rollup runs: rebuilding a plan's stored rollup, and what follows every rebuild.

``rebuild`` replaces the stored rows of a plan (all indicators, or those one approval touched)
in one transaction, so a reader sees the old rollup or the new one, never half of each, and a
rerun writes identical rows; it records a ``RollupRun`` (which also keys the API's cache) and
deletes the ``PendingRollup`` rows it settles, in the same transaction. ``after_rebuild``, once
it has committed, brings the plan's supervision notices up to date. The task bodies
(``rollup_plan``, ``nightly``) and the sweep (``dispatch.sweep``) are these two steps.
"""

from __future__ import annotations

import logging
import os
import queue
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from django.db import connection, connections, transaction
from django.utils import timezone

from targets.models import Indicator, Plan, is_province, places_of
from targets.selectors import province_plans_above

from .. import supervision
from ..models import CompletenessRollup, PendingRollup, Rollup, RollupRun
from . import parts, postgres, reference

logger = logging.getLogger(__name__)


def _all_places_stored(plan: Plan, indicator_ids: set[int] | None, expected: int) -> bool:
    """Whether every county of these indicators has a stored row (December's, the last written)."""
    stored = Rollup.objects.filter(plan=plan, region__isnull=False, month=12)
    if indicator_ids is not None:
        stored = stored.filter(indicator_id__in=indicator_ids)
    return stored.count() == expected


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
    settles: Collection[int] = (),
    above: bool = True,
) -> RollupRun:
    """Replace the stored rollup of a plan (or of some indicators) from ``from_month`` on.

    A city's rebuild brings its province's plan of the year up to date too, in the same
    transaction, unless ``above`` is false (``rebuild_plans`` does the provinces once, last).

    Two rebuilds of one plan never interleave: each holds the plan's row lock until it
    commits. With ``compare``, rows that differ from what was stored are counted as drift.
    ``settles``: the ``PendingRollup`` rows (of this plan) this rebuild settles.
    """
    started, clock = timezone.now(), time.perf_counter()
    plan = Plan.objects.select_for_update(of=("self",)).select_related("unit").get(pk=plan.pk)
    months = range(max(1, from_month), 13)
    ids = None if indicator_ids is None else set(indicator_ids)
    indicators = list(plan.indicators.all())
    region_count = places_of(plan).count()
    regions = None if region_ids is None else set(region_ids)
    if regions is not None:
        wanted = len(indicators) if ids is None else len(ids)
        if not _all_places_stored(plan, ids, wanted * region_count):
            regions = None  # the city is summed from stored county rows: all must be there
    if connection.vendor == "postgresql":
        count, differing = postgres.rebuild_rows(
            plan,
            indicator_ids=ids,
            from_month=months[0],
            region_ids=regions,
            indicators=indicators,
            region_count=region_count,
            analyze=analyze,
        )
    else:
        count, differing = reference.rebuild_rows(plan, indicator_ids=ids, from_month=months[0])

    if not is_province(plan):  # a province is sent no reports: its cities' plans are
        _count_reports(plan, indicators, ids, region_count, months, completeness_months)
        parts.rebuild_parts(
            plan,
            indicator_ids=ids,
            from_month=months[0],
            indicators=indicators,
            region_ids=regions,
        )
        # The province's rows are its cities' city-level rows: brought up to date with them,
        # in this transaction (the city's lock, then the province's: never the other way).
        codes = None if ids is None else {i.code for i in indicators if i.pk in ids}
        for province in province_plans_above(plan) if above else ():
            wanted = province.indicators.all()
            if codes is not None:
                wanted = wanted.filter(code__in=codes)
            rebuild(
                province,
                indicator_ids=None if codes is None else set(wanted.values_list("pk", flat=True)),
                from_month=months[0],
                kind=kind,
                compare=compare,
                analyze=analyze,
            )

    if settles:
        PendingRollup.objects.filter(pk__in=settles, plan=plan).delete()
    codes = "" if ids is None else ",".join(sorted(i.code for i in indicators if i.pk in ids))
    run = RollupRun.objects.create(
        plan=plan,
        kind=kind,
        from_month=months[0],
        indicator_codes=codes,
        started_at=started,
        duration_ms=round((time.perf_counter() - clock) * 1000),
        rows=count,
        drift=differing if compare else 0,
    )
    run.written = differing  # not stored: rows written, for the caller's statistics
    return run


def _count_reports(
    plan: Plan,
    indicators: list[Indicator],
    ids: set[int] | None,
    region_count: int,
    months: range,
    completeness_months: Iterable[int] | None,
) -> None:
    """Replace the plan's counts of reports expected, received and on time (of the
    departments of ``ids``, else all) for the months rebuilt (or ``completeness_months``)."""
    departments = None
    if ids is not None:
        departments = {i.department_id for i in indicators if i.pk in ids}
    counted_months = months if completeness_months is None else sorted(set(completeness_months))
    completeness = reference.compute_completeness(
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


def rebuild_plans(
    plans: Iterable[Plan],
    *,
    kind: str = RollupRun.Kind.FULL,
    compare: bool = False,
    jobs: int | None = None,
    settles: Collection[int] = (),
) -> list[RollupRun]:
    """Rebuild several plans, each in its own transaction: the cities' in the order given,
    then the provinces' (those given, and those above the cities rebuilt), which read them.

    On PostgreSQL up to ``jobs`` plans (by default one per CPU) are rebuilt at once, each on
    its own connection: a plan's rebuild is one statement, which PostgreSQL runs on one core.
    Inside a caller's transaction, or on SQLite (one writer at a time), one after another.
    """
    plans = list(plans)
    cities = [plan for plan in plans if not is_province(plan)]
    provinces = {plan.pk: plan for plan in plans if is_province(plan)}
    for city in cities:
        provinces.update((above.pk, above) for above in province_plans_above(city))

    def one(plan: Plan) -> RollupRun:
        return rebuild(
            plan, kind=kind, compare=compare, analyze=False, settles=settles, above=False
        )

    runs = _in_parallel(cities, one, jobs) + _in_parallel(list(provinces.values()), one, jobs)
    if connection.vendor == "postgresql" and sum(run.written for run in runs) > postgres.BULK:
        # Once for all the plans (a first build writes every row), not once a plan.
        with connection.cursor() as cursor:
            cursor.execute(postgres.ANALYZE)
    return runs


def _in_parallel(
    plans: list[Plan], one: Callable[[Plan], RollupRun], jobs: int | None
) -> list[RollupRun]:
    """``one(plan)`` for each plan, up to ``jobs`` at once on PostgreSQL; the runs in order."""
    wanted = (os.cpu_count() or 1) if jobs is None else jobs
    jobs = max(1, min(wanted, len(plans)))
    if jobs == 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        runs = [one(plan) for plan in plans]
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
                    done[index] = one(plan)
            finally:
                connections.close_all()  # this thread's own connections

        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="rollup") as pool:
            for future in [pool.submit(work) for _ in range(jobs)]:
                future.result()  # a plan's error is raised here, as the plan's own
        runs = [done[index] for index in range(len(plans))]
    return runs


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


def rebuild_after_change(
    plan: Plan,
    *,
    series_ids: Iterable[int],
    from_month: int,
    months: Iterable[int] | None = None,
    regions: Iterable[int] | None = None,
    settles: Collection[int] = (),
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
        settles=settles,
    )


def after_rebuild(runs: list[RollupRun]) -> list[RollupRun]:
    """Once the rebuilds have committed: each active plan's notices for its due month."""
    for run in runs:
        supervision.sync_after_rollup(run.plan)
    return runs


def rollup_plan(
    plan_id: int,
    series_ids: list[int] | None = None,
    from_month: int = 1,
    months: list[int] | None = None,
    regions: list[int] | None = None,
    pending: list[int] | None = None,
) -> int:
    """The task ``reporting.tasks.rollup_plan``: incremental when ``series_ids`` are given,
    else a full rebuild; returns the rows in scope (0 for a plan deleted meanwhile).

    ``months`` and ``regions`` are where figures changed: only those months' report counts
    and those counties' rows (and the city's) are recomputed. ``pending``: the
    ``PendingRollup`` rows this rollup settles, deleted in its transaction.
    """
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return 0
    if series_ids is None:
        run = rebuild(plan, from_month=from_month, settles=pending or ())
    else:
        run = rebuild_after_change(
            plan,
            series_ids=series_ids,
            from_month=from_month,
            months=months,
            regions=regions,
            settles=pending or (),
        )
    after_rebuild([run])
    return run.rows


def nightly() -> dict[int, int]:
    """Rebuild every plan not in draft, compare with what was stored, and log any drift."""
    plans = list(Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("year"))
    # Read before the rebuild starts: each of these approvals committed before it, so the
    # rebuild sees its figures (rows written meanwhile wait for their own rollup).
    settled = list(PendingRollup.objects.filter(plan__in=plans).values_list("pk", flat=True))
    runs = rebuild_plans(plans, kind=RollupRun.Kind.NIGHTLY, compare=True, settles=settled)
    for run in runs:
        if run.drift:
            logger.warning("rollup drift: %s rows of plan %s differed", run.drift, run.plan.year)
    return {run.plan.year: run.drift for run in after_rebuild(runs)}
