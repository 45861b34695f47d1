import type { DuckDBValue } from '@duckdb/node-api';
import type { DateRange, SegmentFilter } from '@telemetry/schema';
import { DD_GAMMA, DD_ZERO_BUCKET } from './ddsketch.ts';
import { HLL_M } from './hll.ts';
import { KIND_CRASHED_SESSION, KIND_SESSION } from './tables.ts';

/**
 * The DAILY_AGGREGATES export as one SELECT with bound parameters, over the aggregates only (so it
 * covers days whose raw data is gone). One row per day and segment, ordered by them:
 *   day, productId, appVersion, os, country, licenseType,
 *   events, users, sessions, crashes, crashedSessions, featureUses,
 *   latency: LIST(STRUCT(metric, count, p50, p90, p95, p99)), one entry per performance metric.
 * users are HyperLogLog estimates of one day and segment — at those sizes linear counting, within
 * about 0.1%; sessions exact occurrence counts; latency quantiles DDSketch answers (within 1%).
 */
export function exportDailyAggregates(range: DateRange, filter?: SegmentFilter | null): { sql: string; params: DuckDBValue[] } {
  // Lists travel as JSON text: DuckDB cannot bind an empty list of unknown type.
  const list = (v: readonly string[] | null | undefined) => JSON.stringify(v ?? []);
  const params: DuckDBValue[] = [
    range.from,
    range.to,
    list(filter?.products),
    list(filter?.appVersions),
    list(filter?.os),
    list(filter?.countries),
    list(filter?.licenseTypes),
  ];
  const within = `day BETWEEN $1::DATE AND $2::DATE AND seg IN (SELECT seg FROM sel)`;
  const value = (b: string) => `(CASE WHEN ${b} = ${DD_ZERO_BUCKET} THEN 0.0 ELSE 2 * pow(${DD_GAMMA}::DOUBLE, ${b}) / (${DD_GAMMA}::DOUBLE + 1) END)`;
  const quantile = (q: number) => {
    const h = `((tot - 1) * ${q})`;
    const lo = `min(bucket) FILTER (WHERE cum > floor(${h}))`;
    const hi = `min(bucket) FILTER (WHERE cum > ceil(${h}))`;
    return `${value(lo)} + (${h} - floor(${h})) * (${value(hi)} - ${value(lo)})`;
  };
  const inList = (n: number, col: string) =>
    `(len(from_json($${n}::VARCHAR, '["VARCHAR"]')) = 0 OR list_contains(from_json($${n}::VARCHAR, '["VARCHAR"]'), ${col}))`;
  const sql = `WITH sel AS (
       SELECT seg FROM agg_segment
       WHERE ${inList(3, 'product_id')} AND ${inList(4, 'app_version')} AND ${inList(5, 'os')}
         AND ${inList(6, 'country')} AND ${inList(7, 'license_type')}),
     u AS (SELECT day, seg, count(*) AS nz, sum(pow(2.0, -CAST(rho AS INTEGER))) AS s FROM hll_users WHERE ${within} GROUP BY day, seg),
     se AS (SELECT a AS day, key AS seg, sum(n) FILTER (WHERE kind = ${KIND_SESSION}) AS sessions,
                   sum(n) FILTER (WHERE kind = ${KIND_CRASHED_SESSION}) AS crashed
            FROM occ_cells WHERE kind IN (${KIND_SESSION}, ${KIND_CRASHED_SESSION}) AND arity = 1
              AND a BETWEEN $1::DATE AND $2::DATE AND key IN (SELECT seg FROM sel) GROUP BY a, key),
     c AS (
       SELECT day, seg, mid, bucket,
              sum(n) OVER (PARTITION BY day, seg, mid ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS cum,
              sum(n) OVER (PARTITION BY day, seg, mid) AS tot
       FROM dd_latency WHERE ${within}),
     q AS (
       SELECT day, seg, mid, tot,
              ${quantile(0.5)} AS p50, ${quantile(0.9)} AS p90, ${quantile(0.95)} AS p95, ${quantile(0.99)} AS p99
       FROM c GROUP BY day, seg, mid, tot),
     lat AS (
       SELECT q.day, q.seg,
              list({'metric': n.name, 'count': q.tot::BIGINT, 'p50': q.p50, 'p90': q.p90, 'p95': q.p95, 'p99': q.p99} ORDER BY n.name) AS latency
       FROM q JOIN agg_name n ON n.id = q.mid GROUP BY q.day, q.seg)
     SELECT d.day AS "day", g.product_id AS "productId", g.app_version AS "appVersion", g.os, g.country, g.license_type AS "licenseType",
            d.events, ${estimateSql('u')} AS users, coalesce(se.sessions, 0)::BIGINT AS sessions, d.crashes,
            coalesce(se.crashed, 0)::BIGINT AS "crashedSessions", d.feature_uses AS "featureUses",
            coalesce(lat.latency, []) AS latency
     FROM agg_day d JOIN agg_segment g USING (seg)
     LEFT JOIN u USING (day, seg) LEFT JOIN se USING (day, seg) LEFT JOIN lat USING (day, seg)
     WHERE d.${within}
     ORDER BY d.day, g.product_id, g.app_version, g.os, g.country, g.license_type`;
  return { sql, params };
}

/** Linear counting below 2.5m (always, at one day and segment), the raw HLL estimate above. */
function estimateSql(t: string): string {
  const m = HLL_M;
  const alpha = 0.7213 / (1 + 1.079 / m);
  return `(CASE WHEN ${t}.nz IS NULL THEN 0
    WHEN ${t}.nz < ${m} AND ${m} * ln(${m} / (${m} - ${t}.nz)) <= ${2.5 * m} THEN round(${m} * ln(${m} / (${m} - ${t}.nz)))
    ELSE round(${alpha} * ${m} * ${m} / ((${m} - ${t}.nz) + ${t}.s)) END)::BIGINT`;
}
