WITH
-- A province's plan as one statement (this first half, then rollup_write.sql). Its places are
-- its cities, and a city's figures are the city-level rows of that city's own plan of the same
-- year, already rolled up, matched by indicator code: a flow's sum to date, a level, a rate's
-- two counts. The province is the sum over its cities (a rate: the ratio of the summed counts).
-- A city's target is the province's split for it, else the city plan's own target. Whatever
-- the depth below, this reads one stored row per city × output × month: set-based, one pass.
--
-- Parameters (postgres.rebuild_rows): plan, from_month, ids, regions (NULL: every city),
-- place_ids (the province's cities), year, the outputs w_* with their codes (w_code), and the
-- rules, as for rollup.sql.
wanted AS (
    SELECT * FROM unnest(%(w_id)s::bigint[], %(w_kind)s::int[], %(w_target)s::bigint[],
                         %(w_target_rate)s::numeric[], %(w_unallocated)s::bigint[],
                         %(w_code)s::text[])
           AS w(id, kind, target, target_rate, unallocated, code)
),
places AS (
    SELECT id AS region_key FROM targets_region
     WHERE id = ANY(%(place_ids)s::bigint[])
       AND (%(regions)s::bigint[] IS NULL OR id = ANY(%(regions)s::bigint[]))
),
cities AS (
    -- each city's own plan of the year
    SELECT p.id AS plan_id, p.unit_id AS region_key
      FROM targets_plan p JOIN places ON places.region_key = p.unit_id
     WHERE p.year = %(year)s
),
county AS (
    -- a city's city-level row of the output with the same code
    SELECT w.id AS indicator_id, c.region_key, r.month, r.actual AS v, r.numerator AS n,
           r.denominator AS d, r.target AS t
      FROM cities c
      JOIN reporting_rollup r
        ON r.plan_id = c.plan_id AND r.region_id IS NULL AND r.month >= %(from_month)s
      JOIN targets_indicator i ON i.id = r.indicator_id
      JOIN wanted w ON w.code = i.code
),
grid AS (
    -- every output × city × month (a city without a plan or row: no data), and the province
    SELECT w.id AS indicator_id, p.region_key, m.month, c.v, c.n, c.d, c.t
      FROM wanted w
     CROSS JOIN places p
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
      LEFT JOIN county c
        ON c.indicator_id = w.id AND c.region_key = p.region_key AND c.month = m.month
    UNION ALL
    SELECT w.id, 0, m.month, s.v, s.n, s.d, NULL
      FROM wanted w
     CROSS JOIN generate_series(%(from_month)s, 12) AS m(month)
      LEFT JOIN (SELECT indicator_id, month, SUM(v)::bigint AS v, SUM(n)::bigint AS n,
                        SUM(d)::bigint AS d
                   FROM county GROUP BY indicator_id, month) s
        ON s.indicator_id = w.id AND s.month = m.month
),
