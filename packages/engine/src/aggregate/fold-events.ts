import type { Sql } from '../storage/duck.ts';
import { ddBucketSql } from './ddsketch.ts';
import { MAX_DAY, SCOPE_DIMENSIONS } from './tables.ts';
import { hllRegSql, hllRhoSql, sessionHashSql } from './hll.ts';

/**
 * Folds a table of new events (RAW_COLUMNS plus `day`) into the day-keyed aggregates: dictionaries,
 * exact counts, HyperLogLog registers and DDSketch buckets. Each statement merges into the stored
 * rows (sum for counts, max for registers), so a batch costs what its own rows cost and late events
 * simply land on their own day.
 *
 * Leaves the enriched batch in the temp table `ab_ev` (day, ts, type, product_id, user_hash, uid,
 * session_id, value, seg, nid) for the per-entity folding that follows; `dropBatchTemps` removes it.
 */
export async function foldEvents(sql: Sql, table: string): Promise<void> {
  assertIdentifier(table);
  await registerSegments(sql, table);
  await registerNames(sql, table);
  await sql.run(`CREATE OR REPLACE TEMP TABLE ab_ev AS
    SELECT e.day, e.ts, e.type, e.product_id, e.user_hash, xor(e.user_hash, p.c) AS uid, e.session_id, e.value, s.seg, n.id AS nid,
           s.v_app_version, s.v_os, s.v_country, s.v_license_type
    FROM (SELECT day, ts, type, product_id, user_hash, session_id, name, value, ${SEGMENT_VALUES} FROM ${table}) e
    JOIN agg_segment s ON ${SEGMENT_JOIN('s', 'e')}
    JOIN (SELECT product_id, md5_number_upper(product_id) AS c FROM (SELECT DISTINCT product_id FROM ${table})) p
      ON p.product_id = e.product_id
    -- An equality alone, so DuckDB hashes it (with the type test in the ON clause it nested-loops).
    LEFT JOIN agg_name n ON n.name = CASE WHEN e.type IN ('feature_used', 'performance') THEN e.name END`);

  await mergeSum(
    sql,
    'agg_day',
    ['day', 'seg'],
    ['events', 'crashes', 'feature_uses'],
    `SELECT day, seg, count(*) AS events, count(*) FILTER (WHERE type = 'crash') AS crashes,
       count(*) FILTER (WHERE type = 'feature_used') AS feature_uses
     FROM ab_ev GROUP BY day, seg`,
  );
  await mergeSum(
    sql,
    'agg_feature_day',
    ['day', 'seg', 'fid'],
    ['uses'],
    `SELECT day, seg, nid AS fid, count(*) AS uses FROM ab_ev WHERE type = 'feature_used' AND nid IS NOT NULL GROUP BY ALL`,
  );
  await mergeSum(
    sql,
    'dd_latency',
    ['day', 'seg', 'mid', 'bucket'],
    ['n'],
    `SELECT day, seg, nid AS mid, ${ddBucketSql('value')} AS bucket, count(*) AS n
     FROM ab_ev WHERE type = 'performance' AND nid IS NOT NULL AND value IS NOT NULL AND isfinite(value) GROUP BY ALL`,
  );

  const user = 'uid'; // userHashSql(product_id, user_hash), computed once above
  const daySeg = { day: 'day', seg: 'seg' };
  await mergeRegisters(sql, 'hll_users', daySeg, user, 'true');
  await mergeRegisters(sql, 'hll_crash_users', daySeg, user, `type = 'crash'`);
  // Sessions of the batch per day and segment (md5 per session, not per event): counted exactly as
  // occurrence cells (occurrences.ts, kinds 4 and 5).
  await sql.run(`CREATE OR REPLACE TEMP TABLE ab_sessions AS
    SELECT day, seg, product_id, ${sessionHashSql('product_id', 'session_id')} AS sh, ts, crashed
    FROM (SELECT day, seg, product_id, session_id, min(ts) AS ts, bool_or(type = 'crash') AS crashed FROM ab_ev GROUP BY ALL)`);
  await mergeRegisters(sql, 'hll_feature_users', { ...daySeg, fid: 'nid' }, user, `type = 'feature_used' AND nid IS NOT NULL`);
}

/** The non-product segment columns with the contract's defaults, so a segment key never holds NULL. */
export const SEGMENT_VALUES = `coalesce(app_version, 'unknown') AS app_version, coalesce(os, 'unknown') AS os,
  coalesce(country, 'ZZ') AS country, coalesce(license_type, 'unknown') AS license_type`;

export const SEGMENT_JOIN = (s: string, e: string): string =>
  ['product_id', 'app_version', 'os', 'country', 'license_type'].map((c) => `${s}.${c} = ${e}.${c}`).join(' AND ');

async function registerSegments(sql: Sql, table: string): Promise<void> {
  // One pass over the batch for its distinct segments; the dictionaries are filled from those few rows.
  await sql.run(`CREATE OR REPLACE TEMP TABLE ab_segs AS SELECT DISTINCT product_id, ${SEGMENT_VALUES} FROM ${table}`);
  const values = SCOPE_DIMENSIONS.map((d) => `SELECT DISTINCT '${d}' AS dim, ${d} AS value FROM ab_segs`).join(' UNION ');
  await sql.run(`INSERT INTO agg_dim_value
    WITH v AS (${values})
    SELECT (SELECT coalesce(max(id), 0) FROM agg_dim_value) + row_number() OVER (ORDER BY dim, value) AS id, dim, value
    FROM v WHERE NOT EXISTS (SELECT 1 FROM agg_dim_value d WHERE d.dim = v.dim AND d.value = v.value)`);
  const ids = SCOPE_DIMENSIONS.map((d) => `(SELECT id FROM agg_dim_value v WHERE v.dim = '${d}' AND v.value = n.${d}) AS v_${d}`).join(', ');
  await sql.run(`INSERT INTO agg_segment
    SELECT (SELECT coalesce(max(seg), 0) FROM agg_segment)
             + row_number() OVER (ORDER BY product_id, app_version, os, country, license_type) AS seg,
           product_id, app_version, os, country, license_type, ${ids}
    FROM ab_segs n
    WHERE NOT EXISTS (SELECT 1 FROM agg_segment s WHERE ${SEGMENT_JOIN('s', 'n')})`);
}

async function registerNames(sql: Sql, table: string): Promise<void> {
  await sql.run(`INSERT INTO agg_name
    SELECT (SELECT coalesce(max(id), 0) FROM agg_name) + row_number() OVER (ORDER BY name) AS id, name
    FROM (SELECT DISTINCT name FROM ${table} WHERE type IN ('feature_used', 'performance') AND name IS NOT NULL) n
    WHERE NOT EXISTS (SELECT 1 FROM agg_name a WHERE a.name = n.name)`);
}

/** MERGE that adds `sums` of the source rows into the target rows with the same key. */
export async function mergeSum(sql: Sql, target: string, keys: readonly string[], sums: readonly string[], source: string): Promise<void> {
  const on = keys.map((k) => `t.${k} = s.${k}`).join(' AND ');
  const set = sums.map((c) => `${c} = t.${c} + s.${c}`).join(', ');
  const cols = [...keys, ...sums];
  await sql.run(`MERGE INTO ${target} t USING (${source}) s ON ${on}
    WHEN MATCHED THEN UPDATE SET ${set}
    WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`);
}

/**
 * MERGE of HyperLogLog registers: keep the larger rho per (keys, reg). `keys` maps each key column of
 * the target to its expression over `from`.
 */
export async function mergeRegisters(
  sql: Sql,
  target: string,
  keys: Readonly<Record<string, string>>,
  hash: string,
  where: string,
  from = 'ab_ev',
): Promise<void> {
  const select = Object.entries(keys).map(([col, expr]) => `${expr} AS ${col}`).join(', ');
  await mergeMaxRows(
    sql,
    target,
    Object.keys(keys),
    `SELECT ${select}, ${hllRegSql(hash)} AS reg, max(${hllRhoSql(hash)}) AS rho FROM ${from} WHERE ${where} GROUP BY ALL`,
  );
}

/** MERGE of register rows (keys..., reg, rho) already computed by `source`. */
export async function mergeMaxRows(sql: Sql, target: string, keys: readonly string[], source: string): Promise<void> {
  const all = [...keys, 'reg'];
  const on = all.map((k) => `t.${k} = s.${k}`).join(' AND ');
  const cols = [...all, 'rho'];
  await sql.run(`MERGE INTO ${target} t USING (${source}) s ON ${on}
    WHEN MATCHED AND s.rho > t.rho THEN UPDATE SET rho = s.rho
    WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`);
}

/**
 * Counts the change (queries memoize answers per version) and records the dictionaries' high-water
 * marks, so a query learns whether anything is new from one small read.
 */
export async function bumpVersion(sql: Sql): Promise<void> {
  await sql.run(`UPDATE agg_meta SET value = CASE key
      WHEN 'version' THEN value + 1
      WHEN 'max_seg' THEN (SELECT coalesce(max(seg), 0) FROM agg_segment)
      WHEN 'max_name' THEN (SELECT coalesce(max(id), 0) FROM agg_name)
      WHEN 'max_dim_value' THEN (SELECT coalesce(max(id), 0) FROM agg_dim_value)
      WHEN '${MAX_DAY}' THEN greatest(value, (SELECT coalesce(max(day) - DATE '1970-01-01', 0) FROM ab_ev))
      ELSE value END`);
}

export async function dropBatchTemps(sql: Sql): Promise<void> {
  const temps = ['ab_ev', 'ab_segs', 'ab_sessions', 'oc_bd', 'oc_ent', 'oc_check', 'oc_known', 'oc_new', 'oc_class', 'oc_fast', 'oc_touch', 'oc_old', 'oc_lists', 'oc_w', 'oc_aff', 'oc_mixed', 'oc_fu', 'oc_cells', 'rb_src', 'rb_days'];
  await sql.run(temps.map((t) => `DROP TABLE IF EXISTS ${t};`).join(' '));
}

/** Table names reach SQL text only from the loader and our own code; still, refuse anything odd. */
export function assertIdentifier(name: string): void {
  if (!/^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain table name: ${JSON.stringify(name)}`);
}
