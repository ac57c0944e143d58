"""The rollup as one PostgreSQL statement (``rollup.sql``): the reference's rows, in SQL.

``reference.compute`` (Python over one aggregate query) is the reference and serves SQLite; on
PostgreSQL ``runs.rebuild`` uses this module. One statement computes the rows and writes only
the differences from the stored ones: rows that changed are updated, rows no longer computed
deleted, missing ones inserted. A rerun over unchanged figures writes nothing, and the
differences are the drift the nightly run reports.

How the rows are computed, cheapest first: one window pass over the counted figures (index
only, already sorted) gives each series × county its running sums; a join with every
(first month, next figure's month, month) triple spreads each figure over its months; an
output computed from its own figures takes those rows as they are, and only goals (their
quotas added up) and rates (numerator beside denominator) are aggregated; the city is summed
from the counties. ``tests/reporting/test_rollup_sql.py`` checks on random histories that the
rows equal the reference's, full and incremental.

The statement is fixed text; everything that varies, and every rule (``rules.py``), is a
bound parameter. Django's psycopg cursor binds them on the client, so the planner sees them
as literals: it knows how few outputs and sources there are, and folds the constants.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from targets.models import Indicator, Plan, is_province, places_of

from . import rules


def _statement(first_half: str) -> str:
    here = Path(__file__)
    return "".join(
        here.with_name(name).read_text(encoding="utf-8")
        for name in (first_half, "rollup_write.sql")
    )


# A city's plan from its figures; a province's from its cities' stored rows (province.sql).
STATEMENT = _statement("rollup.sql")
PROVINCE_STATEMENT = _statement("province.sql")

# A plan's parts (乡镇、街道 or 责任单位, ``parts.py``): the city's statement over the parts'
# shares of the counted figures, against their shares of the counties' splits, written to
# their own table, without the city's row (computed, then left out). Each swap must match
# exactly once: a change to the city's statement that breaks one fails here, at import.
PART_SWAPS = (
    (
        "      FROM targets_submission s\n     WHERE s.is_counted AND",
        """      FROM (SELECT f.indicator_id, t.township_id AS region_id, f.month, t.value
              FROM targets_townshipfigure t
              JOIN targets_submission f ON f.id = t.submission_id
             WHERE f.is_counted AND f.indicator_id = ANY(%(series)s::bigint[])) s
     WHERE""",
    ),
    (
        "      LEFT JOIN targets_regiontarget rt\n",
        """      LEFT JOIN (SELECT sp.indicator_id, t.township_id AS region_id, t.target
                   FROM targets_townshiptarget t
                   JOIN targets_regiontarget sp ON sp.id = t.split_id) rt
""",
    ),
    ("      FROM completed\n),", "      FROM completed\n     WHERE region_key <> 0\n),"),
)


def _parts_statement(city: str) -> str:
    for old, new in PART_SWAPS:
        if city.count(old) != 1:
            raise RuntimeError(f"rollup.sql changed: cannot find {old!r} once for the parts")
        city = city.replace(old, new)
    return city.replace("reporting_rollup", "reporting_partrollup")


PARTS_STATEMENT = _parts_statement(STATEMENT)

# For the one statement. Its row estimates are far off (how many months a figure holds for,
# how many series a goal adds up), and the sort-based plans it then picks cost about twice the
# hash-based ones on a province-sized plan; compiling it (JIT) costs more than running it.
# The incremental rollup reads a few hundred figures, through an index, and sorts them: it
# keeps the session's merge joins and sorts (None: unchanged).
PLANNER = {"work_mem": "64MB", "jit": "off", "enable_mergejoin": None, "enable_sort": None}
FULL_PLANNER = {**PLANNER, "enable_mergejoin": "off", "enable_sort": "off"}
# One round trip to set them all (for the transaction) and learn what they were. Rollups are
# derived and rebuilt nightly: the commit need not wait for the disk.
SET_PLANNER = """
SELECT current_setting('work_mem'), current_setting('jit'),
       current_setting('enable_mergejoin'), current_setting('enable_sort'),
       set_config('synchronous_commit', 'off', true),
       set_config('work_mem', %(work_mem)s, true),
       set_config('jit', %(jit)s, true),
       set_config('enable_mergejoin',
                  COALESCE(%(enable_mergejoin)s, current_setting('enable_mergejoin')), true),
       set_config('enable_sort', COALESCE(%(enable_sort)s, current_setting('enable_sort')), true)
"""
RESTORE_PLANNER = """
SELECT set_config('work_mem', %(work_mem)s, true), set_config('jit', %(jit)s, true),
       set_config('enable_mergejoin', %(enable_mergejoin)s, true),
       set_config('enable_sort', %(enable_sort)s, true)
"""
ANALYZE = "ANALYZE reporting_rollup"
CITY_ONLY = {"simple", "source_outputs", "source_series", "source_slots"}
BULK = 5000  # rows written, above which the table's statistics are refreshed


def constants() -> dict[str, Any]:
    """The rules as the statement's parameters (the margin read now: settings may change)."""
    by_number = sorted(rules.KIND_NUMBERS, key=rules.KIND_NUMBERS.__getitem__)
    shares = [rules.expected_share(kind, month) for kind in by_number for month in rules.MONTHS]
    margin = rules.amber_margin()
    return {
        "flow": rules.KIND_NUMBERS[rules.FLOW],
        "rate": rules.KIND_NUMBERS[rules.RATE],
        "year_months": len(rules.MONTHS),
        "shares": shares,
        "micro_shares": [int(share * rules.MICRO) for share in shares],
        "places": rules.PLACES,
        "micro": rules.MICRO,
        "six_places": rules.SIX_PLACES,
        "exact": rules.EXACT,
        "margin": margin,
        "margin_micro": _micro(margin),
        "green": rules.GREEN.value,
        "amber": rules.AMBER.value,
        "red": rules.RED.value,
    }


def _micro(value: Decimal) -> int | Decimal:
    """A share in millionths: an integer where it is one (the comparisons stay in integers)."""
    micro = value * rules.MICRO
    return int(micro) if micro == micro.to_integral_value() else micro


def _series_of(indicators: list[Indicator], indicator_ids: set[int] | None) -> set[int]:
    """The series whose figures the indicators are computed from (lets the scan use an index)."""
    series: set[int] = set()
    for i in indicators:
        if indicator_ids is None or i.pk in indicator_ids:
            series |= {i.numerator_id, i.denominator_id} if i.kind == rules.RATE else {i.pk}
    return series | {i.pk for i in indicators if i.feeds_id in series}


def _outputs(indicators: list[Indicator], indicator_ids: set[int] | None) -> dict[str, list]:
    """The outputs and where they take their figures from, one array per column.

    An output computed from its own figures alone ("simple": not a rate, no quota feeds it)
    takes its series' rows as they are; a goal fed by quotas adds up its own figures and the
    quotas' (slot 0); a rate sets its numerator (1) beside its denominator (2).
    """
    feeders: dict[int, list[Indicator]] = {}
    for i in indicators:
        if i.feeds_id:
            feeders.setdefault(i.feeds_id, []).append(i)
    wanted = [i for i in indicators if indicator_ids is None or i.pk in indicator_ids]
    sources: list[tuple[int, int, int]] = []
    for i in wanted:
        if i.kind == rules.RATE:
            sources += [(i.pk, i.numerator_id, 1), (i.pk, i.denominator_id, 2)]
        elif i.pk in feeders:
            sources += [(i.pk, series, 0) for series in [i.pk, *(f.pk for f in feeders[i.pk])]]
    return {
        "w_id": [i.pk for i in wanted],
        "w_kind": [rules.KIND_NUMBERS[i.kind] for i in wanted],
        "w_target": [i.target for i in wanted],
        "w_target_rate": [i.target_rate for i in wanted],
        "w_unallocated": [
            i.target - sum(f.target or 0 for f in feeders[i.pk])
            if i.pk in feeders and i.target is not None
            else None
            for i in wanted
        ],
        "simple": [i.pk for i in wanted if i.kind != rules.RATE and i.pk not in feeders],
        "source_outputs": [output for output, _, _ in sources],
        "source_series": [series for _, series, _ in sources],
        "source_slots": [slot for _, _, slot in sources],
    }


def parameters(
    plan: Plan,
    *,
    indicators: list[Indicator],
    indicator_ids: set[int] | None,
    from_month: int,
    region_ids: set[int] | None,
) -> dict[str, Any]:
    """Everything the statement is given (a city's, or a province's: ``province.sql``): the
    scope, the outputs, and the rules."""
    given = {
        "plan": plan.pk,
        "from_month": from_month,
        "ids": sorted(indicator_ids) if indicator_ids is not None else None,
        "regions": sorted(region_ids) if region_ids is not None else None,
        "place_ids": list(places_of(plan).order_by("pk").values_list("pk", flat=True)),
        **_outputs(indicators, indicator_ids),
        **constants(),
    }
    if is_province(plan):
        # Its cities' stored rows by code, not figures: no series, sources or simple outputs.
        wanted = [i for i in indicators if indicator_ids is None or i.pk in indicator_ids]
        given = {key: value for key, value in given.items() if key not in CITY_ONLY}
        return {**given, "year": plan.year, "w_code": [i.code for i in wanted]}
    return {
        **given,
        "series": sorted(_series_of(indicators, indicator_ids)),
        "stocks": sorted(i.pk for i in indicators if i.kind == rules.STOCK),
    }


def rebuild_rows(
    plan: Plan,
    *,
    indicator_ids: set[int] | None,
    from_month: int,
    region_ids: set[int] | None = None,
    indicators: list[Indicator] | None = None,
    region_count: int | None = None,
    analyze: bool = True,
) -> tuple[int, int]:
    """Bring the stored rows up to date inside the caller's transaction.

    With ``region_ids`` (the counties whose figures changed) only those counties are
    recomputed from the figures, and the city from them and the other counties' stored rows.
    After a bulk write the table's statistics are refreshed, unless ``analyze`` is false (the
    caller rebuilding several plans does it once at the end). Returns (rows in scope, rows
    that differed).
    """
    indicators = list(plan.indicators.all()) if indicators is None else indicators
    params = parameters(
        plan,
        indicators=indicators,
        indicator_ids=indicator_ids,
        from_month=from_month,
        region_ids=region_ids,
    )
    planner = PLANNER if region_ids is not None else FULL_PLANNER
    with connection.cursor() as cursor:
        cursor.execute(SET_PLANNER, planner)
        before = dict(zip(planner, cursor.fetchone()[: len(planner)], strict=True))
        try:
            cursor.execute(PROVINCE_STATEMENT if is_province(plan) else STATEMENT, params)
            changed = {tuple(row) for row in cursor.fetchall()}
        finally:
            # Only this statement: the rest of the caller's transaction plans as usual.
            cursor.execute(RESTORE_PLANNER, before)
        if analyze and len(changed) > BULK:
            # A bulk write (a first build, a new plan) leaves the table's statistics stale.
            cursor.execute(ANALYZE)
    # The statement writes a row for every indicator × place × month in scope (a cross join).
    wanted = len(indicators) if indicator_ids is None else len(indicator_ids)
    if region_count is None:
        region_count = places_of(plan).count()
    counties = region_count if region_ids is None else len(region_ids)
    return wanted * (counties + 1) * (13 - from_month), len(changed)


def rebuild_part_rows(
    plan: Plan,
    *,
    part_ids: list[int],
    indicator_ids: set[int] | None,
    from_month: int,
    indicators: list[Indicator] | None = None,
    changed_parts: set[int] | None = None,
) -> int:
    """Bring the stored rows of the plan's parts (all, or ``changed_parts``) up to date inside
    the caller's transaction, in one statement (``PARTS_STATEMENT``); returns the rows that
    differed."""
    indicators = list(plan.indicators.all()) if indicators is None else indicators
    params = parameters(
        plan,
        indicators=indicators,
        indicator_ids=indicator_ids,
        from_month=from_month,
        region_ids=changed_parts,
    )
    params["place_ids"] = part_ids
    with connection.cursor() as cursor:
        cursor.execute(SET_PLANNER, PLANNER)
        before = dict(zip(PLANNER, cursor.fetchone()[: len(PLANNER)], strict=True))
        try:
            cursor.execute(PARTS_STATEMENT, params)
            changed = len(cursor.fetchall())
        finally:
            cursor.execute(RESTORE_PLANNER, before)
    return changed
