"""The rollup as one PostgreSQL statement: the same rows as ``rollup.compute``, computed in SQL.

``rollup.compute`` (Python over one aggregate query) is the reference and serves SQLite; on
PostgreSQL ``rebuild`` uses this module. One statement computes the rows and writes only the
differences from the stored ones: rows that changed are updated, rows no longer computed
deleted, missing ones inserted. A rerun over unchanged figures writes nothing, and the
differences are the drift the nightly run reports.

How the rows are computed, cheapest first: one window pass over the counted figures (index
only, already sorted) gives each series × county its running sums; a join with every
(first month, next figure's month, month) triple spreads each figure over its months; an
output computed from its own figures takes those rows as they are, and only goals (their
quotas added up) and rates (numerator beside denominator) are aggregated; the city is summed
from the counties. ``tests/reporting/test_rollup_sql.py`` checks on random histories that the
rows equal the reference's, full and incremental.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection

from targets.models import Indicator, Plan, Region

from .models import Rollup

# Columns of reporting_rollup that the rollup computes: all but the id and the plan, in the
# model's order (the same as ``rows.ProgressRow``).
COLUMNS = tuple(
    field.attname for field in Rollup._meta.concrete_fields if field.name not in ("id", "plan")
)

# Parameters: %(plan)s, %(from_month)s, %(ids)s (indicator ids, or NULL for all), %(series)s
# (the series they are computed from), %(stocks)s (which of the plan's series are levels),
# %(regions)s (county ids, or NULL for all), %(margin_micro)s (the amber margin in
# millionths; %(margin)s the same as a fraction, for rates), and the outputs (%(w_…)s) and
# their sources (%(source_…)s) listed in Python.
# Regions are keyed 0 for the city inside the statements so that joins stay equi-joins.
WANTED = """
wanted AS (
    -- the outputs, listed by ``rebuild_rows`` (as a literal, the planner knows them); their
    -- kind as a number (KINDS: comparing numbers is much cheaper than comparing text)
    SELECT * FROM unnest(%(w_id)s::bigint[], %(w_kind)s::int[], %(w_target)s::bigint[],
                         %(w_target_rate)s::numeric[], %(w_unallocated)s::bigint[])
           AS w(id, kind, target, target_rate, unallocated)
),
"""

# The months a figure holds for: (first month, the month of the series' next figure, a month
# between them), every such triple, so that spreading a figure over its months is an equi-join.
SPANS = ", ".join(
    f"({first}, {stop}, {month})"
    for first in range(1, 13)
    for stop in range(first + 1, 14)
    for month in range(first, stop)
)

FROM_FIGURES = f"""
sources AS (
    -- where the outputs that add up several series take their figures from (slot 0: a
    -- goal's own figures and its quotas', 1: a rate's numerator, 2: its denominator), listed
    -- by ``rebuild_rows``: as a literal, the planner knows how few they are
    SELECT * FROM unnest(%(source_outputs)s::bigint[], %(source_series)s::bigint[],
                         %(source_slots)s::int[]) AS src(indicator_id, series_id, slot)
),
runs AS (
    -- per series and county (one counted figure a cell): a flow's running sum, a stock's
    -- figure; each holds until the series' next figure
    SELECT s.indicator_id AS series_id, s.region_id, s.month,
           CASE WHEN s.indicator_id = ANY(%(stocks)s::bigint[]) THEN s.value
                -- a figure fits in four bytes (submission_value_at_most_max), and a sum of
                -- four-byte numbers is a bigint: no numeric arithmetic in the running sums
                ELSE SUM(s.value::int4) OVER w END AS value,
           COALESCE(LEAD(s.month) OVER w, 13) AS next,
           COUNT(*) OVER w = 1 AS first  -- in the running sum's frame: cheaper than LAG
      FROM targets_submission s
     WHERE s.is_counted AND s.indicator_id = ANY(%(series)s::bigint[])
       AND (%(regions)s::bigint[] IS NULL OR s.region_id = ANY(%(regions)s::bigint[]))
    WINDOW w AS (PARTITION BY s.indicator_id, s.region_id ORDER BY s.month
                 ROWS UNBOUNDED PRECEDING)
),
spans AS (
    -- keyed by one number, which the planner estimates well (two keys it took as 300 times
    -- more selective than they are, and planned the rest for a few hundred rows)
    SELECT first * 16 + stop AS key, month FROM (VALUES {SPANS}) AS sp(first, stop, month)
),
spread AS (
    -- each figure over its months from %(from_month)s on; the months before a series' first
    -- figure in a county hold none (NULL), so that a series with a figure in a county has a
    -- row for every month
    SELECT r.series_id, r.region_id, sp.month,
           CASE WHEN sp.month >= r.month THEN r.value END AS value
      FROM runs r
      JOIN spans sp
        ON sp.key = CASE WHEN r.first THEN %(from_month)s
                         ELSE GREATEST(r.month, %(from_month)s) END * 16 + r.next
),
complex AS (
    -- a goal adds up its own figures and its quotas'; a rate sets its numerator and
    -- denominator side by side
    SELECT src.indicator_id, s.region_id, s.month,
           (SUM(s.value) FILTER (WHERE src.slot = 0))::bigint AS v,
           (SUM(s.value) FILTER (WHERE src.slot = 1))::bigint AS n,
           (SUM(s.value) FILTER (WHERE src.slot = 2))::bigint AS d
      FROM spread s JOIN sources src ON src.series_id = s.series_id
     GROUP BY src.indicator_id, s.region_id, s.month
),
county AS (
    -- an output computed from its own figures: its series' rows as they are
    SELECT s.series_id AS indicator_id, s.region_id, s.month, s.value AS v,
           NULL::bigint AS n, NULL::bigint AS d
      FROM spread s
     WHERE s.series_id = ANY(%(simple)s::bigint[])
    UNION ALL
    SELECT indicator_id, region_id, month, v, n, d FROM complex
),
others AS (
    -- recomputing some counties only: the city adds the other counties' stored rows
    SELECT r.indicator_id, r.month, r.actual AS v, r.numerator AS n, r.denominator AS d
      FROM reporting_rollup r
     WHERE %(regions)s::bigint[] IS NOT NULL
       AND r.plan_id = %(plan)s AND r.month >= %(from_month)s
       AND r.region_id IS NOT NULL AND NOT (r.region_id = ANY(%(regions)s::bigint[]))
       AND r.indicator_id IN (SELECT id FROM wanted)
),
city AS (
    -- summed over the counties (read from the figures again rather than from ``county``,
    -- which is then computed once, where it is used, and never stored)
    SELECT indicator_id, month, SUM(v)::bigint AS v, SUM(n)::bigint AS n, SUM(d)::bigint AS d
      FROM (SELECT s.series_id AS indicator_id, s.month, s.value AS v, NULL::bigint AS n,
                   NULL::bigint AS d
              FROM spread s
             WHERE s.series_id = ANY(%(simple)s::bigint[])
            UNION ALL
            SELECT indicator_id, month, v, n, d FROM complex
            UNION ALL
            SELECT indicator_id, month, v, n, d FROM others) c
     GROUP BY indicator_id, month
),
covered AS (
    -- the counties with a figure for an output (then they have a row for every month)
    SELECT s.series_id AS indicator_id, s.region_id FROM spread s
     WHERE s.month = %(from_month)s AND s.series_id = ANY(%(simple)s::bigint[])
    UNION ALL
    SELECT indicator_id, region_id FROM complex WHERE month = %(from_month)s
),
places AS (
    SELECT id AS region_key FROM targets_region
     WHERE %(regions)s::bigint[] IS NULL OR id = ANY(%(regions)s::bigint[])
),
pivot AS (
    -- every output × place × month: the counties with figures (all their months), the
    -- counties without any (every month, no data), and the city
    SELECT indicator_id, region_id AS region_key, month, v, n, d FROM county
    UNION ALL
    SELECT x.indicator_id, x.region_key, m.month, NULL, NULL, NULL
      FROM (SELECT w.id AS indicator_id, p.region_key
              FROM wanted w CROSS JOIN places p
             WHERE NOT EXISTS (
                   SELECT 1 FROM covered c
                    WHERE c.indicator_id = w.id AND c.region_id = p.region_key)) x
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
    UNION ALL
    SELECT w.id, 0, m.month, c.v, c.n, c.d
      FROM wanted w
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
      LEFT JOIN city c ON c.indicator_id = w.id AND c.month = m.month
),
"""

OUTPUT_CTES = """
base AS (
    SELECT w.id AS indicator_id, pv.region_key, pv.month, w.kind, w.target_rate, w.unallocated,
           CASE WHEN w.kind = {RATE} THEN NULL
                WHEN w.kind = {FLOW} THEN COALESCE(pv.v, 0)
                ELSE pv.v END AS actual,
           CASE WHEN w.kind = {RATE} THEN COALESCE(pv.n, 0) END AS numerator,
           CASE WHEN w.kind = {RATE} THEN COALESCE(pv.d, 0) END AS denominator,
           CASE WHEN w.kind = {RATE} THEN NULL
                WHEN pv.region_key = 0 THEN w.target
                ELSE rt.target END AS target,
           CASE WHEN w.kind = {FLOW} THEN (ARRAY[{SHARES}])[pv.month]
                ELSE 1::numeric END AS expected,
           CASE WHEN w.kind = {FLOW} THEN (ARRAY[{MICRO_SHARES}])[pv.month]
                ELSE 1000000 END AS expected_micro
      FROM pivot pv
      JOIN wanted w ON w.id = pv.indicator_id
      LEFT JOIN targets_regiontarget rt
        ON rt.indicator_id = pv.indicator_id AND rt.region_id = pv.region_key
),
done AS (
    -- completion in millionths, rounded half up: in integers (exact, and cheaper than numeric
    -- division) as long as actual × 2,000,000 fits in a bigint
    SELECT *,
           CASE WHEN kind = {RATE} THEN
                    CASE WHEN denominator > 0 AND target_rate > 0
                         THEN (ROUND(numerator::numeric(40, 20) / (denominator * target_rate), 6)
                               * 1000000)::bigint
                    END
                WHEN target > 0 AND actual IS NOT NULL THEN
                    CASE WHEN actual < %(exact)s
                         THEN (actual * 2000000 + target) / (2 * target::bigint)
                         ELSE (ROUND(actual::numeric(40, 20) / target, 6) * 1000000)::bigint END
           END AS micro
      FROM base
),
"""

OUTPUT_SELECT = """
SELECT indicator_id, region_key, month, actual, numerator, denominator, target,
       CASE WHEN kind = {RATE} THEN target_rate END AS target_rate,
       micro * 0.000001 AS completion, expected,
       CASE WHEN micro IS NULL THEN NULL
            -- a rate in rate bands: its rate against the target rate, the margin in points of
            -- the rate, compared exactly (numerator against denominator × rate)
            WHEN kind = {RATE} AND numerator >= denominator * target_rate THEN 'green'
            WHEN kind = {RATE}
                 AND numerator >= denominator * (target_rate - %(margin)s) THEN 'amber'
            WHEN kind = {RATE} THEN 'red'
            WHEN micro >= expected_micro THEN 'green'
            WHEN micro >= expected_micro - %(margin_micro)s THEN 'amber'
            ELSE 'red' END AS status,
       CASE WHEN actual IS NULL THEN NULL
            WHEN kind = {FLOW} AND actual < %(exact)s THEN (actual * 24 + month) / (2 * month)
            WHEN kind = {FLOW} THEN ROUND(actual::numeric * 12 / month)::bigint
            ELSE actual END AS projected,
       CASE WHEN region_key = 0 THEN unallocated END AS unallocated
  FROM done
"""

# The expected share of a flow by the end of each month (m/12, six places, half up), and the
# largest figure for which the rounding is done in integers.
SHARES = ", ".join(
    str((Decimal(month) / 12).quantize(Decimal("0.000001"), ROUND_HALF_UP))
    for month in range(1, 13)
)
KINDS = {Indicator.Kind.FLOW: 0, Indicator.Kind.STOCK: 1, Indicator.Kind.RATE: 2}
MICRO_SHARES = ", ".join(str(int(Decimal(share) * 1_000_000)) for share in SHARES.split(", "))
EXACT = 4_000_000_000_000
CONSTANTS = {
    "{SHARES}": SHARES,
    "{MICRO_SHARES}": MICRO_SHARES,
    "{FLOW}": str(KINDS[Indicator.Kind.FLOW]),
    "{RATE}": str(KINDS[Indicator.Kind.RATE]),
}


def _constants(sql: str) -> str:
    for name, value in CONSTANTS.items():
        sql = sql.replace(name, value)
    return sql


OUTPUT_CTES = _constants(OUTPUT_CTES)
OUTPUT_SELECT = _constants(OUTPUT_SELECT)

SCOPE = """
    r.plan_id = %(plan)s AND r.month >= %(from_month)s
    AND (%(ids)s::bigint[] IS NULL OR r.indicator_id = ANY(%(ids)s::bigint[]))
    AND {places}
"""
ALL_PLACES = "TRUE"
COUNTIES_AND_CITY = "(r.region_id IS NULL OR r.region_id = ANY(%(regions)s::bigint[]))"

_VALUES = COLUMNS[3:]
_KEY_MATCH = "f.indicator_id = e.indicator_id AND f.region_key = e.region_key AND f.month = e.month"
_SAME_VALUES = " AND ".join(f"f.{c} IS NOT DISTINCT FROM e.{c}" for c in _VALUES)

# One statement per pass: compute the fresh rows, set them beside the stored ones (one full
# join), then update the rows that differ, delete those no longer computed and insert the
# missing ones. The three writes touch disjoint keys and read the materialised ``diff``, never
# the table being written.
SYNC = f"""
fresh AS ({{output}}),
existing AS (
    SELECT r.id, r.indicator_id, COALESCE(r.region_id, 0) AS region_key, r.month,
           {", ".join("r." + c for c in _VALUES)}
      FROM reporting_rollup r
     WHERE {SCOPE}
),
diff AS MATERIALIZED (
    SELECT e.id, f.indicator_id, f.region_key, f.month, {", ".join("f." + c for c in _VALUES)}
      FROM fresh f FULL JOIN existing e ON {_KEY_MATCH}
     WHERE e.id IS NULL OR f.indicator_id IS NULL OR NOT ({_SAME_VALUES})
),
changed AS (
    UPDATE reporting_rollup r
       SET {", ".join(f"{c} = d.{c}" for c in _VALUES)}
      FROM diff d
     WHERE r.plan_id = %(plan)s AND r.id = d.id AND d.indicator_id IS NOT NULL
    RETURNING r.indicator_id, r.region_id, r.month
),
stale AS (
    DELETE FROM reporting_rollup r USING diff d
     WHERE r.plan_id = %(plan)s AND r.id = d.id AND d.indicator_id IS NULL
    RETURNING r.indicator_id, r.region_id, r.month
),
added AS (
    INSERT INTO reporting_rollup (plan_id, {", ".join(COLUMNS)})
    SELECT %(plan)s, d.indicator_id, NULLIF(d.region_key, 0), d.month,
           {", ".join("d." + c for c in _VALUES)}
      FROM diff d
     WHERE d.id IS NULL
     -- in the order of the unique index: appended to it instead of scattered through it
     ORDER BY d.indicator_id, d.region_key, d.month
    RETURNING indicator_id, region_id, month
)
SELECT indicator_id, region_id, month FROM changed
UNION ALL SELECT indicator_id, region_id, month FROM stale
UNION ALL SELECT indicator_id, region_id, month FROM added
"""

FROM_FIGURES_SQL = (
    "WITH" + WANTED + FROM_FIGURES + OUTPUT_CTES + SYNC.replace("{output}", OUTPUT_SELECT)
)

# For the one statement. Its row estimates are far off (how many months a figure holds for,
# how many series a goal adds up), and the sort-based plans it then picks cost about twice the
# hash-based ones on a province-sized plan; compiling it (JIT) costs more than running it.
PLANNER_SETTINGS = {"work_mem": "64MB", "jit": "off"}
# The incremental rollup reads a few hundred figures, through an index, and sorts them.
FULL_PLANNER_SETTINGS = {**PLANNER_SETTINGS, "enable_mergejoin": "off", "enable_sort": "off"}

BULK = 5000  # rows written, above which the table's statistics are refreshed


def _series_of(indicators: list[Indicator], indicator_ids: set[int] | None) -> set[int]:
    """The series whose figures the indicators are computed from (lets the scan use an index)."""
    series: set[int] = set()
    for i in indicators:
        if indicator_ids is None or i.pk in indicator_ids:
            series |= {i.numerator_id, i.denominator_id} if i.kind == "rate" else {i.pk}
    return series | {i.pk for i in indicators if i.feeds_id in series}


def _micro(value: Decimal) -> int | Decimal:
    """A share in millionths: an integer where it is one (the comparisons stay in integers)."""
    micro = value * 1_000_000
    return int(micro) if micro == micro.to_integral_value() else micro


def _outputs(indicators: list[Indicator], indicator_ids: set[int] | None) -> dict[str, list]:
    """The outputs and where they take their figures from, as the statement's literals.

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
        if i.kind == Indicator.Kind.RATE:
            sources += [(i.pk, i.numerator_id, 1), (i.pk, i.denominator_id, 2)]
        elif i.pk in feeders:
            sources += [(i.pk, series, 0) for series in [i.pk, *(f.pk for f in feeders[i.pk])]]
    return {
        "w_id": [i.pk for i in wanted],
        "w_kind": [KINDS[i.kind] for i in wanted],
        "w_target": [i.target for i in wanted],
        "w_target_rate": [i.target_rate for i in wanted],
        "w_unallocated": [
            i.target - sum(f.target or 0 for f in feeders[i.pk])
            if i.pk in feeders and i.target is not None
            else None
            for i in wanted
        ],
        "simple": [i.pk for i in wanted if i.kind != Indicator.Kind.RATE and i.pk not in feeders],
        "source_outputs": [output for output, _, _ in sources],
        "source_series": [series for _, series, _ in sources],
        "source_slots": [slot for _, _, slot in sources],
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
    params = {
        "plan": plan.pk,
        "from_month": from_month,
        "ids": sorted(indicator_ids) if indicator_ids is not None else None,
        "series": sorted(_series_of(indicators, indicator_ids)),
        "stocks": sorted(i.pk for i in indicators if i.kind == Indicator.Kind.STOCK),
        "regions": sorted(region_ids) if region_ids is not None else None,
        "margin_micro": _micro(Decimal(settings.AMBER_MARGIN_POINTS) / 100),
        "margin": Decimal(settings.AMBER_MARGIN_POINTS) / 100,
        "exact": EXACT,
    }
    params.update(_outputs(indicators, indicator_ids))
    places = COUNTIES_AND_CITY if region_ids is not None else ALL_PLACES
    planner = PLANNER_SETTINGS if region_ids is not None else FULL_PLANNER_SETTINGS
    names = list(planner)
    with connection.cursor() as cursor:
        # One round trip to set them all (for the transaction) and learn what they were.
        # Rollups are derived and rebuilt nightly: the commit need not wait for the disk.
        cursor.execute(
            "SELECT set_config('synchronous_commit', 'off', true), "
            + ", ".join(f"current_setting('{name}')" for name in names)
            + ", "
            + ", ".join("set_config(%s, %s, true)" for _ in names),
            [item for pair in planner.items() for item in pair],
        )
        before = cursor.fetchone()[1 : 1 + len(names)]
        try:
            cursor.execute(FROM_FIGURES_SQL.format(places=places), params)
            changed = {tuple(row) for row in cursor.fetchall()}
        finally:
            # Only this statement: the rest of the caller's transaction plans as usual.
            cursor.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                [item for pair in zip(names, before, strict=True) for item in pair],
            )
        if analyze and len(changed) > BULK:
            # A bulk write (a first build, a new plan) leaves the table's statistics stale.
            cursor.execute("ANALYZE reporting_rollup")
    # The statement writes a row for every indicator × place × month in scope (a cross join).
    wanted = len(indicators) if indicator_ids is None else len(indicator_ids)
    if region_count is None:
        region_count = Region.objects.count()
    counties = region_count if region_ids is None else len(region_ids)
    return wanted * (counties + 1) * (13 - from_month), len(changed)
