-- The rollup's second half, shared by the city's statement (rollup.sql) and the province's
-- (province.sql): from the grid of every output × place × month (region_key 0 the whole unit)
-- with its values v, n, d and a place's own target t, compute each row by the rules, set the
-- rows beside the stored ones and write only the differences. postgres.py appends it to
-- either first half; it continues their WITH list.
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
                ELSE COALESCE(rt.target, g.t) END AS target,
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
