"""The rollup as one PostgreSQL statement: the same rows as ``rollup.compute``, computed in SQL.

``rollup.compute`` (Python over one aggregate query) is the reference and serves SQLite; on
PostgreSQL ``rebuild`` uses this module, which computes the rows in the database, keeps them in
a temporary table and writes only the differences: rows that changed or went stale are
deleted, missing ones inserted. A rerun over unchanged figures writes nothing, and the
differences are the drift the nightly run reports. A test checks that both ways give the same
rows on random submission histories.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection

from targets.models import Indicator, Plan

from .models import Rollup

# Columns of reporting_rollup that the rollup computes: all but the id and the plan, in the
# model's order (the same as ``rollup.ProgressRow``).
COLUMNS = tuple(
    field.attname for field in Rollup._meta.concrete_fields if field.name not in ("id", "plan")
)

# Parameters: %(plan)s, %(from_month)s, %(ids)s (indicator ids, or NULL for all), %(series)s
# (the series they are computed from), %(regions)s (county ids, or NULL for all),
# %(with_regions)s and %(with_city)s (which places to compute), %(margin)s.
# Regions are keyed 0 for the city inside the statements so that joins stay equi-joins.
WANTED = """
wanted AS (
    SELECT i.id, i.kind, i.target, i.target_rate, i.numerator_id, i.denominator_id,
           (SELECT CASE WHEN COUNT(*) > 0 AND i.target IS NOT NULL
                        THEN i.target - COALESCE(SUM(q.target), 0) END
              FROM targets_indicator q WHERE q.feeds_id = i.id) AS unallocated
      FROM targets_indicator i
     WHERE i.plan_id = %(plan)s
       AND (%(ids)s::bigint[] IS NULL OR i.id = ANY(%(ids)s::bigint[]))
),
"""

FROM_FIGURES = """
sources AS (
    -- where each output's figures come from (slot 0: its own, 1: numerator, 2: denominator)
    SELECT w.id AS indicator_id, w.id AS series_id, 0 AS slot, w.kind = 'stock' AS stock
      FROM wanted w
     WHERE w.kind <> 'rate'
    UNION ALL
    SELECT w.id, q.id, 0, w.kind = 'stock'
      FROM wanted w JOIN targets_indicator q ON q.feeds_id = w.id
     WHERE w.kind <> 'rate'
    UNION ALL
    SELECT w.id, w.numerator_id, 1, n.kind = 'stock' FROM wanted w
      JOIN targets_indicator n ON n.id = w.numerator_id WHERE w.kind = 'rate'
    UNION ALL
    SELECT w.id, w.denominator_id, 2, d.kind = 'stock' FROM wanted w
      JOIN targets_indicator d ON d.id = w.denominator_id WHERE w.kind = 'rate'
),
figures AS (
    -- a goal's feeders are flows, so they may be added up month by month before accumulating
    SELECT src.indicator_id, src.slot, src.stock, s.region_id, s.month, SUM(s.value) AS value
      FROM targets_submission s JOIN sources src ON src.series_id = s.indicator_id
     WHERE s.is_counted AND s.indicator_id = ANY(%(series)s::bigint[])
       AND (%(regions)s::bigint[] IS NULL OR s.region_id = ANY(%(regions)s::bigint[]))
     GROUP BY src.indicator_id, src.slot, src.stock, s.region_id, s.month
),
grid AS (
    SELECT c.indicator_id, c.slot, c.stock, c.region_id, m.month, f.value,
           COUNT(f.value) OVER w AS seen,
           SUM(f.value) OVER w AS running
      FROM (SELECT DISTINCT indicator_id, slot, stock, region_id FROM figures) c
     CROSS JOIN generate_series(1, 12) AS m(month)
      LEFT JOIN figures f
        ON f.indicator_id = c.indicator_id AND f.slot = c.slot
       AND f.region_id = c.region_id AND f.month = m.month
    WINDOW w AS (PARTITION BY c.indicator_id, c.slot, c.region_id ORDER BY m.month)
),
by_region AS (
    -- a flow: the running sum; a stock: the latest figure (the first of its run of months)
    SELECT indicator_id, region_id AS region_key, month, slot,
           CASE WHEN stock
                THEN FIRST_VALUE(value) OVER (
                         PARTITION BY indicator_id, slot, region_id, seen ORDER BY month)
                ELSE running END AS value
      FROM grid
),
place_values AS (
    SELECT indicator_id, region_key, month, slot, value FROM by_region
     WHERE month >= %(from_month)s
    UNION ALL
    SELECT indicator_id, 0, month, slot, SUM(value) FROM by_region
     WHERE month >= %(from_month)s AND %(with_city)s
     GROUP BY indicator_id, month, slot
),
pivot AS (
    SELECT indicator_id, region_key, month, SUM(v) AS v, SUM(n) AS n, SUM(d) AS d
      FROM (
        SELECT indicator_id, region_key, month,
               MAX(value) FILTER (WHERE slot = 0) AS v,
               MAX(value) FILTER (WHERE slot = 1) AS n,
               MAX(value) FILTER (WHERE slot = 2) AS d
          FROM place_values GROUP BY indicator_id, region_key, month
        UNION ALL
        -- recomputing some counties only: the city adds the other counties' stored rows
        SELECT r.indicator_id, 0, r.month,
               SUM(r.actual), SUM(r.numerator), SUM(r.denominator)
          FROM reporting_rollup r
         WHERE %(regions)s::bigint[] IS NOT NULL AND %(with_city)s
           AND r.plan_id = %(plan)s AND r.month >= %(from_month)s
           AND r.region_id IS NOT NULL AND NOT (r.region_id = ANY(%(regions)s::bigint[]))
           AND r.indicator_id IN (SELECT id FROM wanted)
         GROUP BY r.indicator_id, r.month
      ) parts
     GROUP BY indicator_id, region_key, month
),
"""

OUTPUT_CTES = """
base AS (
    SELECT w.id AS indicator_id, p.region_key, m.month, w.kind, w.target_rate, w.unallocated,
           CASE WHEN w.kind = 'rate' THEN NULL
                WHEN w.kind = 'flow' THEN COALESCE(pv.v, 0)
                ELSE pv.v END AS actual,
           CASE WHEN w.kind = 'rate' THEN COALESCE(pv.n, 0) END AS numerator,
           CASE WHEN w.kind = 'rate' THEN COALESCE(pv.d, 0) END AS denominator,
           CASE WHEN w.kind = 'rate' THEN NULL
                WHEN p.region_key = 0 THEN w.target
                ELSE rt.target END AS target,
           CASE WHEN w.kind = 'flow' THEN ROUND(m.month::numeric / 12, 6)
                ELSE 1::numeric END AS expected
      FROM wanted w
     CROSS JOIN (
            SELECT id AS region_key FROM targets_region
             WHERE %(with_regions)s
               AND (%(regions)s::bigint[] IS NULL OR id = ANY(%(regions)s::bigint[]))
            UNION ALL
            SELECT 0 WHERE %(with_city)s) p
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
      LEFT JOIN pivot pv
        ON pv.indicator_id = w.id AND pv.region_key = p.region_key AND pv.month = m.month
      LEFT JOIN targets_regiontarget rt
        ON rt.indicator_id = w.id AND rt.region_id = p.region_key
),
done AS (
    SELECT *,
           CASE WHEN kind = 'rate' THEN
                    CASE WHEN denominator > 0 AND target_rate > 0
                         THEN ROUND(numerator::numeric(40, 20) / (denominator * target_rate), 6)
                    END
                WHEN target > 0 AND actual IS NOT NULL
                    THEN ROUND(actual::numeric(40, 20) / target, 6)
           END AS completion
      FROM base
),
"""

OUTPUT_SELECT = """
SELECT indicator_id, region_key, month, actual, numerator, denominator, target,
       CASE WHEN kind = 'rate' THEN target_rate END AS target_rate,
       completion, expected,
       CASE WHEN completion IS NULL THEN NULL
            WHEN completion >= expected THEN 'green'
            WHEN completion >= expected - %(margin)s THEN 'amber'
            ELSE 'red' END AS status,
       CASE WHEN actual IS NULL THEN NULL
            WHEN kind = 'flow' THEN ROUND(actual::numeric * 12 / month)::bigint
            ELSE actual END AS projected,
       CASE WHEN region_key = 0 THEN unallocated END AS unallocated
  FROM done
"""

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

# One statement per pass: compute the fresh rows, then update the rows that differ, delete
# those no longer computed and insert the missing ones. The three writes touch disjoint keys,
# and every probe reads the materialised ``existing`` snapshot, never the table being written.
SYNC = f"""
fresh AS MATERIALIZED ({{output}}),
existing AS MATERIALIZED (
    SELECT r.id, r.indicator_id, COALESCE(r.region_id, 0) AS region_key, r.month,
           {", ".join("r." + c for c in _VALUES)}
      FROM reporting_rollup r
     WHERE {SCOPE}
),
differing AS MATERIALIZED (
    SELECT e.id, {", ".join("f." + c for c in _VALUES)}
      FROM existing e JOIN fresh f ON {_KEY_MATCH}
     WHERE NOT ({_SAME_VALUES})
),
changed AS (
    UPDATE reporting_rollup r
       SET {", ".join(f"{c} = d.{c}" for c in _VALUES)}
      FROM differing d
     WHERE r.id = d.id
    RETURNING r.indicator_id, r.region_id, r.month
),
gone AS MATERIALIZED (
    SELECT e.id FROM existing e
     WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE {_KEY_MATCH})
),
stale AS (
    DELETE FROM reporting_rollup r USING gone g
     WHERE r.id = g.id
    RETURNING r.indicator_id, r.region_id, r.month
),
added AS (
    INSERT INTO reporting_rollup (plan_id, {", ".join(COLUMNS)})
    SELECT %(plan)s, f.indicator_id, NULLIF(f.region_key, 0), f.month,
           {", ".join("f." + c for c in _VALUES)}
      FROM fresh f
     WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE {_KEY_MATCH})
    RETURNING indicator_id, region_id, month
)
SELECT (SELECT COUNT(*) FROM fresh), NULL::bigint, NULL::bigint, NULL::integer
UNION ALL SELECT NULL, indicator_id, region_id, month FROM changed
UNION ALL SELECT NULL, indicator_id, region_id, month FROM stale
UNION ALL SELECT NULL, indicator_id, region_id, month FROM added
"""

FROM_FIGURES_SQL = (
    "WITH" + WANTED + FROM_FIGURES + OUTPUT_CTES + SYNC.replace("{output}", OUTPUT_SELECT)
)

BULK = 5000  # rows written, above which the table's statistics are refreshed


def _series_of(indicators: list[Indicator], indicator_ids: set[int] | None) -> set[int]:
    """The series whose figures the indicators are computed from (lets the scan use an index)."""
    series: set[int] = set()
    for i in indicators:
        if indicator_ids is None or i.pk in indicator_ids:
            series |= {i.numerator_id, i.denominator_id} if i.kind == "rate" else {i.pk}
    return series | {i.pk for i in indicators if i.feeds_id in series}


def rebuild_rows(
    plan: Plan,
    *,
    indicator_ids: set[int] | None,
    from_month: int,
    region_ids: set[int] | None = None,
    indicators: list[Indicator] | None = None,
) -> tuple[int, int]:
    """Bring the stored rows up to date inside the caller's transaction.

    With ``region_ids`` (the counties whose figures changed) only those counties are
    recomputed from the figures, and the city from them and the other counties' stored rows.
    Returns (rows in scope, rows that differed).
    """
    params = {
        "plan": plan.pk,
        "from_month": from_month,
        "ids": sorted(indicator_ids) if indicator_ids is not None else None,
        "series": sorted(
            _series_of(
                list(plan.indicators.all()) if indicators is None else indicators, indicator_ids
            )
        ),
        "regions": sorted(region_ids) if region_ids is not None else None,
        "margin": Decimal(settings.AMBER_MARGIN_POINTS) / 100,
    }
    if region_ids is None:
        passes = [(FROM_FIGURES_SQL, ALL_PLACES, {"with_regions": True, "with_city": True})]
    else:
        passes = [(FROM_FIGURES_SQL, COUNTIES_AND_CITY, {"with_regions": True, "with_city": True})]
    rows, changed = 0, set()
    with connection.cursor() as cursor:
        # The windows sort a row per series × county × month; keep those sorts in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Rollups are derived and rebuilt nightly: the commit need not wait for the disk.
        cursor.execute("SET LOCAL synchronous_commit = off")
        for sql, scope, places in passes:
            cursor.execute(sql.format(places=scope), {**params, **places})
            result = cursor.fetchall()
            rows += result[0][0]
            changed.update(tuple(row[1:]) for row in result[1:])
        if len(changed) > BULK:
            # A bulk write (a first build, a new plan) leaves the table's statistics stale.
            cursor.execute("ANALYZE reporting_rollup")
    return rows, len(changed)
