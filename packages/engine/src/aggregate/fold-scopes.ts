import type { Sql } from '../storage/duck.ts';
import { ddBucketSql } from './ddsketch.ts';
import { mergeSum } from './fold-events.ts';
import { SCOPE_FEATURE_USES, SCOPE_LATENCY, SCOPE_SUM_DIMENSIONS } from './tables.ts';

/**
 * Folds the enriched batch `ab_ev` (fold-events.ts: day, type, nid, value and the v_* dimension value
 * ids of its segment) into scope_sums: the feature uses and latency buckets of agg_feature_day and
 * dd_latency summed per scope (tables.ts: all events, or one value of an OS or license type) — the
 * same rows with the same conditions, so a query may read either and give the same answer
 * (scopes.test.ts compares the two).
 *
 * Why: a dashboard filtered on one dimension or broken down by it would otherwise join and sum the
 * rows of hundreds of segments per day (dd_latency: 440k rows of one metric over 90 days at 10M
 * events); per scope it reads a few hundred rows a day. At ingest: one MERGE, one scan of the batch
 * grouped by day and the scope dimensions' values first (not by segment: a few times fewer groups),
 * then only those groups are spread over their scopes (tables.ts scopeKeysSql: the same keys).
 */
export async function foldScopes(sql: Sql): Promise<void> {
  const dims = SCOPE_SUM_DIMENSIONS.map((d) => `v_${d}`).join(', ');
  await mergeSum(
    sql,
    'scope_sums',
    ['day', 'key', 'what', 'nid', 'bucket'],
    ['n'],
    `SELECT day, key, what, nid, bucket, sum(n)::BIGINT AS n FROM (
       SELECT day, unnest([0, ${dims}]) AS key, what, nid, bucket, n
       FROM (SELECT day, ${dims}, what, nid, bucket, count(*) AS n FROM (
               SELECT day, ${dims}, nid,
                      CASE WHEN type = 'feature_used' THEN ${SCOPE_FEATURE_USES} ELSE ${SCOPE_LATENCY} END::UTINYINT AS what,
                      CASE WHEN type = 'feature_used' THEN 0 ELSE ${ddBucketSql('value')} END AS bucket
               FROM ab_ev
               WHERE nid IS NOT NULL AND (type = 'feature_used' OR (type = 'performance' AND value IS NOT NULL AND isfinite(value))))
             GROUP BY ALL))
     GROUP BY ALL`,
  );
}
