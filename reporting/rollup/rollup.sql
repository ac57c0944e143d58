WITH
-- The rollup of one plan as one statement (this first half, then rollup_write.sql): compute the
-- rows, set them beside the stored ones, and write only the differences (rows that changed
-- updated, rows no longer computed deleted, missing ones inserted). Read once by postgres.py;
-- every value comes as a bound parameter.
--
-- Parameters, all bound by postgres.rebuild_rows (Django's psycopg cursor binds on the client:
-- the planner sees them as literals, and knows how few outputs and sources there are):
--   plan, from_month          the plan, and the first as-of month rebuilt (to December)
--   ids                       the indicators rebuilt, or NULL for all the plan's
--   regions                   the counties recomputed from the figures, or NULL for all
--   place_ids                 the plan's places (its unit's children)
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
    -- counties without any (every month, no data), and the city; t, a place's target where
    -- the plan sets no split, is none here (a province's cities bring theirs)
    SELECT indicator_id, region_id AS region_key, month, v, n, d, NULL::bigint AS t
      FROM county
    UNION ALL
    SELECT x.indicator_id, x.region_key, m.month, NULL, NULL, NULL, NULL
      FROM (SELECT w.id AS indicator_id, p.region_key
              FROM wanted w CROSS JOIN places p
             WHERE NOT EXISTS (
                   SELECT 1 FROM covered c
                    WHERE c.indicator_id = w.id AND c.region_id = p.region_key)) x
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
    UNION ALL
    SELECT w.id, 0, m.month, c.v, c.n, c.d, NULL
      FROM wanted w
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
      LEFT JOIN city c ON c.indicator_id = w.id AND c.month = m.month
),
