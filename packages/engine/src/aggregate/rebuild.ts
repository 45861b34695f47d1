import { listValue } from '@duckdb/node-api';
import { addDays, type DateRange, type Day } from '@telemetry/schema';
import { RAW_COLUMN_NAMES } from '../storage/columns.ts';
import { sqlFileList, type Sql } from '../storage/duck.ts';
import { bumpVersion, dropBatchTemps, foldEvents } from './fold-events.ts';
import { foldScopes } from './fold-scopes.ts';
import { rebuildMixedFeatureUsers } from './feature-scopes.ts';
import { buildBatchDays, foldListDeltas, foldRepeatWitnesses } from './occurrences.ts';

/** Day-keyed aggregate tables: recomputed whole for a rebuilt day. */
const DAY_KEYED = [
  'agg_day',
  'agg_feature_day',
  'dd_latency',
  'hll_users',
  'hll_crash_users',
  'hll_feature_users',
  'hll_feature_repeat',
  'scope_sums',
] as const;

const ENTITY = 'kind, product_id, id, key';

export interface RebuildOptions {
  /** Days whose raw partitions retention dropped: never recomputed (their raw data is gone). */
  readonly expiredDays?: readonly Day[];
}

export interface RebuildResult {
  /** Days recomputed. */
  readonly days: number;
  readonly events: number;
  /** Days of the range skipped: dropped by retention, or without any raw file. */
  readonly skippedDays: readonly Day[];
}

/**
 * Recomputes the aggregates of the days of `range` from their raw Parquet `files` (recovery after a
 * bug or a lost table): day-keyed tables are replaced for those days, and every entity with activity
 * on them is re-folded from its stored day list with those days taken from the raw events instead,
 * so the exact cells (users, adopters, cohorts, first uses) end as if the days had been loaded once.
 *
 * Only days that have raw files and are not in `expiredDays` are touched: a day whose raw data was
 * dropped keeps its aggregates as they are, and a day without files is never cleared (no file can
 * also mean lost files). Run it inside the writer's transaction, like applyBatch.
 */
export async function rebuildAggregates(
  sql: Sql,
  range: DateRange,
  files: readonly string[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const expired = new Set(options.expiredDays ?? []);
  const byDay = new Map<Day, string[]>();
  for (const f of files) {
    const m = /day=(\d{4}-\d{2}-\d{2})/.exec(f);
    const day = m?.[1] as Day | undefined;
    if (!day || day < range.from || day > range.to || expired.has(day)) continue;
    const list = byDay.get(day);
    if (list) list.push(f);
    else byDay.set(day, [f]);
  }
  const days = [...byDay.keys()].sort();
  const skippedDays: Day[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) if (!byDay.has(d)) skippedDays.push(d);
  if (days.length === 0) return { days: 0, events: 0, skippedDays };

  const dayList = `(SELECT unnest($days::DATE[]))`;
  await sql.run(
    `CREATE OR REPLACE TEMP TABLE rb_src AS
     SELECT ${RAW_COLUMN_NAMES.join(', ')}, day
     FROM read_parquet(${sqlFileList([...byDay.values()].flat())}, hive_partitioning = true, hive_types = {'day': DATE})
     WHERE day IN ${dayList}`,
    listParam('days', days),
  );
  const events = (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM rb_src`))?.n ?? 0;
  for (const t of DAY_KEYED) await sql.run(`DELETE FROM ${t} WHERE day IN ${dayList}`, listParam('days', days));
  await sql.run(`CREATE OR REPLACE TEMP TABLE rb_days AS SELECT unnest($days::DATE[]) AS day`, listParam('days', days));

  await foldEvents(sql, 'rb_src');
  await foldScopes(sql);
  await refoldEntities(sql);
  await bumpVersion(sql);
  await dropBatchTemps(sql);
  return { days: days.length, events, skippedDays };
}

/**
 * Re-folds every entity active on a rebuilt day (rb_days): old list = its stored days, new list =
 * stored days outside rb_days plus the raw days (oc_bd). The first event is kept when it lies
 * outside rb_days, else taken from the raw events.
 */
async function refoldEntities(sql: Sql): Promise<void> {
  await buildBatchDays(sql);
  await rebuildMixedFeatureUsers(sql);
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_aff AS
    SELECT DISTINCT ${ENTITY} FROM state_days WHERE day IN (SELECT day FROM rb_days)
    UNION SELECT DISTINCT ${ENTITY} FROM oc_bd`);
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_old AS
    SELECT s.kind, s.product_id, s.id, s.key, s.day, s.seg FROM state_days s JOIN oc_aff a USING (${ENTITY})`);
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_lists AS
    SELECT ${ENTITY}, day, seg, -1 AS sign FROM oc_old
    UNION ALL SELECT ${ENTITY}, day, seg, 1 FROM oc_old WHERE day NOT IN (SELECT day FROM rb_days)
    UNION ALL SELECT ${ENTITY}, day, seg, 1 FROM oc_bd`);
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_touch AS
    WITH raw AS (SELECT ${ENTITY}, min(ts) AS r_ts, arg_min(seg, (ts, seg)) AS r_seg FROM oc_bd GROUP BY ALL),
    lists AS (SELECT ${ENTITY}, min(day) AS first_day FROM oc_lists WHERE sign > 0 GROUP BY ALL),
    j AS (
      SELECT a.kind, a.product_id, a.id, a.key, e.first_ts AS old_ts, e.first_seg AS old_seg, r.r_ts, r.r_seg, l.first_day,
             CASE WHEN e.first_ts IS NOT NULL AND CAST(e.first_ts AS DATE) NOT IN (SELECT day FROM rb_days) THEN true ELSE false END AS keep
      FROM oc_aff a LEFT JOIN state_entity e USING (${ENTITY}) LEFT JOIN raw r USING (${ENTITY}) LEFT JOIN lists l USING (${ENTITY})),
    f AS (
      SELECT *,
        CASE WHEN first_day IS NULL THEN NULL
             WHEN keep AND (r_ts IS NULL OR old_ts < r_ts OR (old_ts = r_ts AND old_seg <= r_seg)) THEN old_ts
             WHEN r_ts IS NOT NULL THEN r_ts
             ELSE CAST(first_day AS TIMESTAMP) END AS new_ts,
        CASE WHEN first_day IS NULL THEN NULL
             WHEN keep AND (r_ts IS NULL OR old_ts < r_ts OR (old_ts = r_ts AND old_seg <= r_seg)) THEN old_seg
             WHEN r_ts IS NOT NULL THEN r_seg
             ELSE old_seg END AS new_seg
      FROM j)
    SELECT ${ENTITY}, old_ts, old_seg, new_ts, new_seg,
           (new_ts IS DISTINCT FROM old_ts OR new_seg IS DISTINCT FROM old_seg) AS first_changed
    FROM f`);
  await foldListDeltas(sql);
  await sql.run(`DELETE FROM state_days s USING oc_aff a
    WHERE s.kind = a.kind AND s.product_id = a.product_id AND s.id = a.id AND s.key = a.key
      AND s.day IN (SELECT day FROM rb_days)`);
  await sql.run(`INSERT INTO state_days SELECT ${ENTITY}, day, seg FROM oc_bd`);
  // Repeat witnesses of the rebuilt days (their rows were deleted with the day-keyed tables).
  await foldRepeatWitnesses(sql, 'rebuilt');
}

function listParam(name: string, days: readonly string[]) {
  return { [name]: listValue([...days]) };
}
