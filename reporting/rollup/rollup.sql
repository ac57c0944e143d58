WITH
-- The rollup of one plan as one statement: compute the rows, set them beside the stored ones,
-- and write only the differences (rows that changed updated, rows no longer computed deleted,
-- missing ones inserted). Read once by postgres.py; every value comes as a bound parameter.
--
-- Parameters, all bound by postgres.rebuild_rows (Django's psycopg cursor binds on the client:
-- the planner sees them as literals, and knows how few outputs and sources there are):
--   plan, from_month          the plan, and the first as-of month rebuilt (to December)
--   ids                       the indicators rebuilt, or NULL for all the plan's
--   regions                   the counties recomputed from the figures, or NULL for all
--   series, stocks            the series the outputs read, and which of them are levels
--   simple                    outputs computed from their own figures alone
--   w_*                       the outputs (wanted), one array per column
--   source_*                  where goals and rates take their figures from
--   the rules (rules.py):     flow, rate (kind numbers), shares and micro_shares (the expected
--                             share by kind and month, as a fraction and in millionths), micro,
--                             places, six_places, year_months, exact, margin, margin_micro,
--                             green, amber, red
-- Regions are keyed 0 for the city inside the statement so that joins stay equi-joins.
wanted AS (
    -- the outputs; their kind as a number (comparing numbers is much cheaper than text)
    SELECT * FROM unnest(%(w_id)s::bigint[], %(w_kind)s::int[], %(w_target)s::bigint[],
                         %(w_target_rate)s::numeric[], %(w_unallocated)s::bigint[])
           AS w(id, kind, target, target_rate, unallocated)
),
sources AS (
    -- where the outputs that add up several series take their figures from (slot 0: a
    -- goal's own figures and its quotas', 1: a rate's numerator, 2: its denominator)
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
    -- every (first month, next figure's month, a month between them), keyed by one number
    -- (first × 16 + next), which the planner estimates well (two keys it took as 300 times
    -- more selective than they are): spreading a figure over its months is an equi-join.
    -- A table of values, not a series: the planner knows its size and its distinct keys.
    SELECT first * 16 + stop AS key, month
      FROM (VALUES
        (1, 2, 1), (1, 3, 1), (1, 3, 2), (1, 4, 1), (1, 4, 2), (1, 4, 3), (1, 5, 1), (1, 5, 2),
        (1, 5, 3), (1, 5, 4), (1, 6, 1), (1, 6, 2), (1, 6, 3), (1, 6, 4), (1, 6, 5), (1, 7, 1),
        (1, 7, 2), (1, 7, 3), (1, 7, 4), (1, 7, 5), (1, 7, 6), (1, 8, 1), (1, 8, 2), (1, 8, 3),
        (1, 8, 4), (1, 8, 5), (1, 8, 6), (1, 8, 7), (1, 9, 1), (1, 9, 2), (1, 9, 3), (1, 9, 4),
        (1, 9, 5), (1, 9, 6), (1, 9, 7), (1, 9, 8), (1, 10, 1), (1, 10, 2), (1, 10, 3),
        (1, 10, 4), (1, 10, 5), (1, 10, 6), (1, 10, 7), (1, 10, 8), (1, 10, 9), (1, 11, 1),
        (1, 11, 2), (1, 11, 3), (1, 11, 4), (1, 11, 5), (1, 11, 6), (1, 11, 7), (1, 11, 8),
        (1, 11, 9), (1, 11, 10), (1, 12, 1), (1, 12, 2), (1, 12, 3), (1, 12, 4), (1, 12, 5),
        (1, 12, 6), (1, 12, 7), (1, 12, 8), (1, 12, 9), (1, 12, 10), (1, 12, 11), (1, 13, 1),
        (1, 13, 2), (1, 13, 3), (1, 13, 4), (1, 13, 5), (1, 13, 6), (1, 13, 7), (1, 13, 8),
        (1, 13, 9), (1, 13, 10), (1, 13, 11), (1, 13, 12),
        (2, 3, 2), (2, 4, 2), (2, 4, 3), (2, 5, 2), (2, 5, 3), (2, 5, 4), (2, 6, 2), (2, 6, 3),
        (2, 6, 4), (2, 6, 5), (2, 7, 2), (2, 7, 3), (2, 7, 4), (2, 7, 5), (2, 7, 6), (2, 8, 2),
        (2, 8, 3), (2, 8, 4), (2, 8, 5), (2, 8, 6), (2, 8, 7), (2, 9, 2), (2, 9, 3), (2, 9, 4),
        (2, 9, 5), (2, 9, 6), (2, 9, 7), (2, 9, 8), (2, 10, 2), (2, 10, 3), (2, 10, 4),
        (2, 10, 5), (2, 10, 6), (2, 10, 7), (2, 10, 8), (2, 10, 9), (2, 11, 2), (2, 11, 3),
        (2, 11, 4), (2, 11, 5), (2, 11, 6), (2, 11, 7), (2, 11, 8), (2, 11, 9), (2, 11, 10),
        (2, 12, 2), (2, 12, 3), (2, 12, 4), (2, 12, 5), (2, 12, 6), (2, 12, 7), (2, 12, 8),
        (2, 12, 9), (2, 12, 10), (2, 12, 11), (2, 13, 2), (2, 13, 3), (2, 13, 4), (2, 13, 5),
        (2, 13, 6), (2, 13, 7), (2, 13, 8), (2, 13, 9), (2, 13, 10), (2, 13, 11), (2, 13, 12),
        (3, 4, 3), (3, 5, 3), (3, 5, 4), (3, 6, 3), (3, 6, 4), (3, 6, 5), (3, 7, 3), (3, 7, 4),
        (3, 7, 5), (3, 7, 6), (3, 8, 3), (3, 8, 4), (3, 8, 5), (3, 8, 6), (3, 8, 7), (3, 9, 3),
        (3, 9, 4), (3, 9, 5), (3, 9, 6), (3, 9, 7), (3, 9, 8), (3, 10, 3), (3, 10, 4),
        (3, 10, 5), (3, 10, 6), (3, 10, 7), (3, 10, 8), (3, 10, 9), (3, 11, 3), (3, 11, 4),
        (3, 11, 5), (3, 11, 6), (3, 11, 7), (3, 11, 8), (3, 11, 9), (3, 11, 10), (3, 12, 3),
        (3, 12, 4), (3, 12, 5), (3, 12, 6), (3, 12, 7), (3, 12, 8), (3, 12, 9), (3, 12, 10),
        (3, 12, 11), (3, 13, 3), (3, 13, 4), (3, 13, 5), (3, 13, 6), (3, 13, 7), (3, 13, 8),
        (3, 13, 9), (3, 13, 10), (3, 13, 11), (3, 13, 12),
        (4, 5, 4), (4, 6, 4), (4, 6, 5), (4, 7, 4), (4, 7, 5), (4, 7, 6), (4, 8, 4), (4, 8, 5),
        (4, 8, 6), (4, 8, 7), (4, 9, 4), (4, 9, 5), (4, 9, 6), (4, 9, 7), (4, 9, 8), (4, 10, 4),
        (4, 10, 5), (4, 10, 6), (4, 10, 7), (4, 10, 8), (4, 10, 9), (4, 11, 4), (4, 11, 5),
        (4, 11, 6), (4, 11, 7), (4, 11, 8), (4, 11, 9), (4, 11, 10), (4, 12, 4), (4, 12, 5),
        (4, 12, 6), (4, 12, 7), (4, 12, 8), (4, 12, 9), (4, 12, 10), (4, 12, 11), (4, 13, 4),
        (4, 13, 5), (4, 13, 6), (4, 13, 7), (4, 13, 8), (4, 13, 9), (4, 13, 10), (4, 13, 11),
        (4, 13, 12),
        (5, 6, 5), (5, 7, 5), (5, 7, 6), (5, 8, 5), (5, 8, 6), (5, 8, 7), (5, 9, 5), (5, 9, 6),
        (5, 9, 7), (5, 9, 8), (5, 10, 5), (5, 10, 6), (5, 10, 7), (5, 10, 8), (5, 10, 9),
        (5, 11, 5), (5, 11, 6), (5, 11, 7), (5, 11, 8), (5, 11, 9), (5, 11, 10), (5, 12, 5),
        (5, 12, 6), (5, 12, 7), (5, 12, 8), (5, 12, 9), (5, 12, 10), (5, 12, 11), (5, 13, 5),
        (5, 13, 6), (5, 13, 7), (5, 13, 8), (5, 13, 9), (5, 13, 10), (5, 13, 11), (5, 13, 12),
        (6, 7, 6), (6, 8, 6), (6, 8, 7), (6, 9, 6), (6, 9, 7), (6, 9, 8), (6, 10, 6),
        (6, 10, 7), (6, 10, 8), (6, 10, 9), (6, 11, 6), (6, 11, 7), (6, 11, 8), (6, 11, 9),
        (6, 11, 10), (6, 12, 6), (6, 12, 7), (6, 12, 8), (6, 12, 9), (6, 12, 10), (6, 12, 11),
        (6, 13, 6), (6, 13, 7), (6, 13, 8), (6, 13, 9), (6, 13, 10), (6, 13, 11), (6, 13, 12),
        (7, 8, 7), (7, 9, 7), (7, 9, 8), (7, 10, 7), (7, 10, 8), (7, 10, 9), (7, 11, 7),
        (7, 11, 8), (7, 11, 9), (7, 11, 10), (7, 12, 7), (7, 12, 8), (7, 12, 9), (7, 12, 10),
        (7, 12, 11), (7, 13, 7), (7, 13, 8), (7, 13, 9), (7, 13, 10), (7, 13, 11), (7, 13, 12),
        (8, 9, 8), (8, 10, 8), (8, 10, 9), (8, 11, 8), (8, 11, 9), (8, 11, 10), (8, 12, 8),
        (8, 12, 9), (8, 12, 10), (8, 12, 11), (8, 13, 8), (8, 13, 9), (8, 13, 10), (8, 13, 11),
        (8, 13, 12),
        (9, 10, 9), (9, 11, 9), (9, 11, 10), (9, 12, 9), (9, 12, 10), (9, 12, 11), (9, 13, 9),
        (9, 13, 10), (9, 13, 11), (9, 13, 12),
        (10, 11, 10), (10, 12, 10), (10, 12, 11), (10, 13, 10), (10, 13, 11), (10, 13, 12),
        (11, 12, 11), (11, 13, 11), (11, 13, 12),
        (12, 13, 12)
           ) AS sp(first, stop, month)
),
spread AS (
    -- each figure over its months from from_month on; the months before a series' first
    -- figure in a county hold none (NULL), so that a series with a figure in a county has a
    -- row for every month
    SELECT r.series_id, r.region_id, sp.month,
           CASE WHEN sp.month >= r.month THEN r.value END AS value
      FROM runs r
      JOIN spans sp
        ON sp.key = CASE WHEN r.first THEN %(from_month)s
                         ELSE GREATEST(r.month, %(from_month)s) END * 16 + r.next
),
combined AS (
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
    SELECT indicator_id, region_id, month, v, n, d FROM combined
),
other_counties AS (
    -- recomputing some counties only: the city adds the other counties' stored rows
    SELECT r.indicator_id, r.month, r.actual AS v, r.numerator AS n, r.denominator AS d
      FROM reporting_rollup r
     WHERE %(regions)s::bigint[] IS NOT NULL
       AND r.plan_id = %(plan)s AND r.month >= %(from_month)s
       AND r.region_id IS NOT NULL AND NOT (r.region_id = ANY(%(regions)s::bigint[]))
       AND r.indicator_id IN (SELECT id FROM wanted)
),
city AS (
    -- summed over the counties (read from the figures again rather than from county, which
    -- is then computed once, where it is used, and never stored)
    SELECT indicator_id, month, SUM(v)::bigint AS v, SUM(n)::bigint AS n, SUM(d)::bigint AS d
      FROM (SELECT s.series_id AS indicator_id, s.month, s.value AS v, NULL::bigint AS n,
                   NULL::bigint AS d
              FROM spread s
             WHERE s.series_id = ANY(%(simple)s::bigint[])
            UNION ALL
            SELECT indicator_id, month, v, n, d FROM combined
            UNION ALL
            SELECT indicator_id, month, v, n, d FROM other_counties) c
     GROUP BY indicator_id, month
),
covered AS (
    -- the counties with a figure for an output (then they have a row for every month)
    SELECT s.series_id AS indicator_id, s.region_id FROM spread s
     WHERE s.month = %(from_month)s AND s.series_id = ANY(%(simple)s::bigint[])
    UNION ALL
    SELECT indicator_id, region_id FROM combined WHERE month = %(from_month)s
),
places AS (
    -- the plan's places (its counties, districts and 市直), or those of them asked for
    SELECT id AS region_key FROM targets_region
     WHERE id = ANY(%(place_ids)s::bigint[])
       AND (%(regions)s::bigint[] IS NULL OR id = ANY(%(regions)s::bigint[]))
),
grid AS (
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
figures AS (
    -- actual (a flow without figures has done 0; a level without any has no data), the
    -- rate's two counts, the target (the split for a county), the expected share
    SELECT w.id AS indicator_id, g.region_key, g.month, w.kind, w.target_rate, w.unallocated,
           CASE WHEN w.kind = %(rate)s THEN NULL
                WHEN w.kind = %(flow)s THEN COALESCE(g.v, 0)
                ELSE g.v END AS actual,
           CASE WHEN w.kind = %(rate)s THEN COALESCE(g.n, 0) END AS numerator,
           CASE WHEN w.kind = %(rate)s THEN COALESCE(g.d, 0) END AS denominator,
           CASE WHEN w.kind = %(rate)s THEN NULL
                WHEN g.region_key = 0 THEN w.target
                ELSE rt.target END AS target,
           (%(shares)s::numeric[])[w.kind * %(year_months)s + g.month] AS expected,
           (%(micro_shares)s::bigint[])[w.kind * %(year_months)s + g.month] AS expected_micro
      FROM grid g
      JOIN wanted w ON w.id = g.indicator_id
      LEFT JOIN targets_regiontarget rt
        ON rt.indicator_id = g.indicator_id AND rt.region_id = g.region_key
),
completed AS (
    -- completion in millionths, rounded half up: in integers (exact, and cheaper than numeric
    -- division) while actual is below exact
    SELECT *,
           CASE WHEN kind = %(rate)s THEN
                    CASE WHEN denominator > 0 AND target_rate > 0
                         THEN (ROUND(numerator::numeric(40, 20) / (denominator * target_rate),
                                     %(places)s) * %(micro)s)::bigint
                    END
                WHEN target > 0 AND actual IS NOT NULL THEN
                    CASE WHEN actual < %(exact)s
                         THEN (actual * (2 * %(micro)s) + target) / (2 * target::bigint)
                         ELSE (ROUND(actual::numeric(40, 20) / target, %(places)s)
                               * %(micro)s)::bigint END
           END AS micro
      FROM figures
),
fresh AS (
    SELECT indicator_id, region_key, month, actual, numerator, denominator, target,
           CASE WHEN kind = %(rate)s THEN target_rate END AS target_rate,
           micro * %(six_places)s AS completion, expected,
           CASE WHEN micro IS NULL THEN NULL
                -- a rate in rate bands: its rate against the target rate, the margin in
                -- points of the rate, compared exactly (numerator against denominator × rate)
                WHEN kind = %(rate)s AND numerator >= denominator * target_rate
                     THEN %(green)s
                WHEN kind = %(rate)s
                     AND numerator >= denominator * (target_rate - %(margin)s) THEN %(amber)s
                WHEN kind = %(rate)s THEN %(red)s
                WHEN micro >= expected_micro THEN %(green)s
                WHEN micro >= expected_micro - %(margin_micro)s THEN %(amber)s
                ELSE %(red)s END AS status,
           CASE WHEN actual IS NULL THEN NULL
                WHEN kind = %(flow)s AND actual < %(exact)s
                     THEN (actual * (2 * %(year_months)s) + month) / (2 * month)
                WHEN kind = %(flow)s THEN ROUND(actual::numeric * %(year_months)s / month)::bigint
                ELSE actual END AS projected,
           CASE WHEN region_key = 0 THEN unallocated END AS unallocated
      FROM completed
),
existing AS (
    -- the stored rows in scope: the plan's, from from_month, of the outputs, and (recomputing
    -- some counties only) those counties' and the city's
    SELECT r.id, r.indicator_id, COALESCE(r.region_id, 0) AS region_key, r.month,
           r.actual, r.numerator, r.denominator, r.target, r.target_rate, r.completion,
           r.expected, r.status, r.projected, r.unallocated
      FROM reporting_rollup r
     WHERE r.plan_id = %(plan)s AND r.month >= %(from_month)s
       AND (%(ids)s::bigint[] IS NULL OR r.indicator_id = ANY(%(ids)s::bigint[]))
       AND (%(regions)s::bigint[] IS NULL
            OR r.region_id IS NULL OR r.region_id = ANY(%(regions)s::bigint[]))
),
diff AS MATERIALIZED (
    -- fresh beside stored (one full join): new rows (no id), rows no longer computed (no
    -- indicator), and rows whose values differ
    SELECT e.id, f.indicator_id, f.region_key, f.month,
           f.actual, f.numerator, f.denominator, f.target, f.target_rate, f.completion,
           f.expected, f.status, f.projected, f.unallocated
      FROM fresh f
      FULL JOIN existing e
        ON f.indicator_id = e.indicator_id AND f.region_key = e.region_key
       AND f.month = e.month
     WHERE e.id IS NULL OR f.indicator_id IS NULL
        OR (f.actual, f.numerator, f.denominator, f.target, f.target_rate, f.completion,
            f.expected, f.status, f.projected, f.unallocated)
           IS DISTINCT FROM
           (e.actual, e.numerator, e.denominator, e.target, e.target_rate, e.completion,
            e.expected, e.status, e.projected, e.unallocated)
),
-- The three writes touch disjoint keys and read the materialised diff, never the table being
-- written.
changed AS (
    UPDATE reporting_rollup r
       SET actual = d.actual, numerator = d.numerator, denominator = d.denominator,
           target = d.target, target_rate = d.target_rate, completion = d.completion,
           expected = d.expected, status = d.status, projected = d.projected,
           unallocated = d.unallocated
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
    INSERT INTO reporting_rollup (plan_id, indicator_id, region_id, month, actual, numerator,
                                  denominator, target, target_rate, completion, expected,
                                  status, projected, unallocated)
    SELECT %(plan)s, d.indicator_id, NULLIF(d.region_key, 0), d.month, d.actual, d.numerator,
           d.denominator, d.target, d.target_rate, d.completion, d.expected,
           d.status, d.projected, d.unallocated
      FROM diff d
     WHERE d.id IS NULL
     -- in the order of the unique index: appended to it instead of scattered through it
     ORDER BY d.indicator_id, d.region_key, d.month
    RETURNING indicator_id, region_id, month
)
SELECT indicator_id, region_id, month FROM changed
UNION ALL SELECT indicator_id, region_id, month FROM stale
UNION ALL SELECT indicator_id, region_id, month FROM added
