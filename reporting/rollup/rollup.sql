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
--   span_keys, span_months    (first month, next figure's month) keyed, × the months between
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
    -- every (first month, next figure's month, month between them), keyed by one number
    -- (first × 16 + next), which the planner estimates well: spreading a figure over its
    -- months is then an equi-join
    SELECT * FROM unnest(%(span_keys)s::int[], %(span_months)s::int[]) AS sp(key, month)
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
    SELECT id AS region_key FROM targets_region
     WHERE %(regions)s::bigint[] IS NULL OR id = ANY(%(regions)s::bigint[])
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
