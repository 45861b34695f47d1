/**
 * A quick synthetic load at benchmark scale straight into the aggregates, then dashboard query
 * latencies. Not a test: run it by hand.
 *
 *   npx tsx packages/engine/src/query/testing/measure.ts [--events 10000000] [--days 90] [--dau 20000]
 *       [--dir DIR] [--runs 15] [--only TEXT] [--exact]
 *
 * Events are generated inside DuckDB (one day per batch, plus 3% of each day arriving with the next
 * batch as late events), folded by metricsAggregator.applyBatch exactly as the loader does, and
 * written as day-partitioned Parquet for the EXACT comparison. `--dir` keeps the built store; run
 * again with the same `--dir` (and the same --events/--days/--dau) to time queries only: the store is
 * then opened read-only, so several such runs may share it.
 *
 * Queries: the benchmark's dashboard set (benchmarks/src/runner/query-set.ts, names starting with
 * "bench"), plus more shapes (every family plain, by product, filtered, broken down, two-dimension
 * filters). Each is timed cold (every memoized answer dropped before the run: the figure the latency
 * goal is about) and then cached (the same query again).
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Day, Dimension, Precision, SegmentFilter } from '@telemetry/schema';
import { dashboardQueries } from '../../../../../benchmarks/src/runner/query-set.ts';
import { aggregateSize, metricsAggregator } from '../../aggregate/index.ts';
import type { TelemetryEngineApi } from '../../engine.ts';
import { dayFromIndex, dayIndex } from '../../aggregate/periods.ts';
import { AGGREGATE_TABLES } from '../../aggregate/tables.ts';
import { RAW_COLUMN_NAMES } from '../../storage/columns.ts';
import { Sql, SqlPool, sqlString } from '../../storage/duck.ts';
import { forgetCachedAnswers } from '../cache.ts';
import type { QueryContext } from '../context.ts';
import { activeUsers, crashRate, featureAdoption, latency, retentionCohorts } from '../index.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 10_000_000);
const DAYS = arg('days', 90);
const DAU = arg('dau', 20_000);
const RUNS = arg('runs', 15);
const USERS = Math.round(DAU * 3.3);
const TODAY = '2025-06-30' as Day;
const first = dayFromIndex(dayIndex(TODAY) - DAYS + 1);

async function main(): Promise<void> {
  // --dir keeps the loaded store (and reuses it when it already holds one): query timings only.
  const keep = process.argv.indexOf('--dir');
  const dir = keep > 0 ? process.argv[keep + 1] : await mkdtemp(join(tmpdir(), 'measure-'));
  await mkdir(dir, { recursive: true });
  const reuse = keep > 0 && (await stat(join(dir, 'engine.duckdb')).catch(() => null)) !== null;
  const instance = await DuckDBInstance.create(join(dir, 'engine.duckdb'), { threads: '2', ...(reuse ? { access_mode: 'READ_ONLY' } : {}) });
  const sql = new Sql(await instance.connect());
  if (!reuse) {
    await metricsAggregator.init(sql);
    await load(sql, dir);
  }
  await queries(instance, dir);
  sql.close();
  instance.closeSync();
  if (keep < 0) await rm(dir, { recursive: true, force: true });
}

async function load(sql: Sql, dir: string): Promise<void> {
  const perUserDay = EVENTS / DAYS / DAU;
  // Users: fixed product, OS, country, license; an upgrade lag; an activity level.
  await sql.run(`CREATE TEMP TABLE users AS SELECT i AS uid, hash(i * 7919 + 17) AS user_hash,
      ['studio.desktop','studio.desktop','studio.desktop','sync-agent','sync-agent','reports_cli'][1 + (hash(i * 3) % 6)::INTEGER] AS product_id,
      ['windows','windows','windows','macos','macos','linux'][1 + (hash(i * 5) % 6)::INTEGER] AS os,
      ['US','US','US','DE','DE','GB','JP','IN','FR','BR','CA','CN','AU','NL','KR','PL','SE','MX'][1 + (hash(i * 11) % 18)::INTEGER] AS country,
      ['trial','standard','standard','enterprise'][1 + (hash(i * 13) % 4)::INTEGER] AS license_type,
      (hash(i * 19) % 8)::INTEGER AS lag,
      0.1 + 0.5 * ((hash(i * 23) % 1000) / 1000.0) AS p
    FROM range(${USERS}) t(i)`);
  const scale = DAU / (await sql.one<{ s: number }>(`SELECT sum(p) AS s FROM users`))!.s;
  let loaded = 0;
  let foldMs = 0;
  const started = performance.now();
  for (let d = 0; d < DAYS; d++) {
    const day = dayFromIndex(dayIndex(first) + d);
    // Today's events, 3% of them held back until the next batch (late); yesterday's held-back ones join.
    await sql.run(`CREATE OR REPLACE TEMP TABLE gen AS
      WITH active AS (SELECT * FROM users WHERE (hash(uid * 1000003 + ${d}) % 100000) / 100000.0 < p * ${scale}),
      ev AS (
        SELECT a.*, e.n, (hash(uid * 31 + ${d} * 7 + e.n) % 1000) / 1000.0 AS r
        FROM active a, range(1 + (hash(uid + ${d}) % ${Math.max(1, Math.round(perUserDay * 2 - 1))})::INTEGER) e(n))
      SELECT 'e' || uid || '-' || ${d} || '-' || n AS event_id, product_id,
             TIMESTAMP '${day} 00:00:00' + to_milliseconds((hash(uid * 97 + n) % 86400000)::BIGINT) AS ts,
             CASE WHEN n = 0 THEN 'session_start' WHEN r < 0.5 THEN 'feature_used' WHEN r < 0.62 THEN 'performance'
                  WHEN r < 0.9 THEN 'interaction' WHEN r < 0.995 THEN 'error' ELSE 'crash' END AS type,
             user_hash, 's' || uid || '-' || ${d} || '-' || (n // 12) AS session_id,
             CASE WHEN r < 0.5 THEN ['open','save','search','undo','copy','export_pdf','print','share','dark_mode','zoom',
                    'comments','templates','spell','history','sync','import','charts','macros','plugins','offline',
                    'ai','collab','tags','timeline','batch','voice','palette','filters','layout','lineage'][1 + least(29, floor(30 * pow(r * 2, 2.2)))::INTEGER]
                  WHEN r < 0.56 THEN 'startup' WHEN r < 0.62 THEN 'response' ELSE 'x' END AS name,
             CASE WHEN r >= 0.5 AND r < 0.62 THEN exp(5 + 2 * ((hash(uid * 7 + n + ${d}) % 1000) / 1000.0)) END AS value,
             ['2.9.4','3.0.0','3.0.1','3.1.0','3.1.1','3.2.0'][1 + least(5, greatest(0, (${d} - lag) * 6 // ${DAYS}))::INTEGER] AS app_version,
             os, NULL::VARCHAR AS os_version, country, NULL::UBIGINT AS license_hash, license_type, NULL::VARCHAR AS properties
      FROM ev`);
    await sql.run(`CREATE OR REPLACE TEMP TABLE new_events AS
      SELECT *, CAST(ts AS DATE) AS day FROM gen WHERE hash(event_id) % 100 >= 3
      UNION ALL SELECT * FROM held`.replace('UNION ALL SELECT * FROM held', d > 0 ? 'UNION ALL SELECT * FROM held' : ''));
    await sql.run(`CREATE OR REPLACE TEMP TABLE held AS SELECT *, CAST(ts AS DATE) AS day FROM gen WHERE hash(event_id) % 100 < 3`);
    const n = (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM new_events`))!.n;
    const t = performance.now();
    await sql.transaction(() => metricsAggregator.applyBatch(sql, 'new_events'));
    foldMs += performance.now() - t;
    await sql.run(
      `COPY (SELECT ${RAW_COLUMN_NAMES.join(', ')}, day FROM new_events) TO ${sqlString(join(dir, 'events'))}
       (FORMAT parquet, PARTITION_BY (day), FILENAME_PATTERN ${sqlString(`b${d}_{i}`)}, OVERWRITE_OR_IGNORE true)`,
    );
    loaded += n;
    if (d % 10 === 9) console.log(`day ${d + 1}/${DAYS}: ${loaded} events, fold ${(loaded / (foldMs / 1000)).toFixed(0)} events/s`);
  }
  console.log(`loaded ${loaded} events in ${((performance.now() - started) / 1000).toFixed(1)} s; applyBatch total ${(foldMs / 1000).toFixed(1)} s = ${(loaded / (foldMs / 1000)).toFixed(0)} events/s`);
  await sql.run('CHECKPOINT');
  const size = await aggregateSize(sql);
  console.log(`aggregates ${(size.aggregateBytes / 1e6).toFixed(1)} MB (${(size.aggregateBytes / loaded).toFixed(2)} B/event), state ${(size.stateBytes / 1e6).toFixed(1)} MB`);
  for (const t of [...AGGREGATE_TABLES.filter((t) => !['agg_dim_value', 'agg_name'].includes(t)), 'state_entity', 'state_days']) {
    console.log(`  ${t}: ${(await sql.one<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))!.n} rows`);
  }
}

async function queries(instance: DuckDBInstance, dir: string): Promise<void> {
  const fileList = async () => {
    const out: { day: string; path: string }[] = [];
    for (const dd of await readdir(join(dir, 'events'))) {
      for (const f of await readdir(join(dir, 'events', dd))) out.push({ day: dd.slice(4), path: join(dir, 'events', dd, f) });
    }
    return out;
  };
  const all = await fileList();
  const pool = await SqlPool.create(instance, 2);
  const ctx: QueryContext = {
    pool,
    today: () => TODAY,
    nowMs: () => Date.parse(`${TODAY}T12:00:00Z`),
    settings: () => ({ enabled: true, storageDurationDays: 90, updatedAt: null }),
    leaseRawFiles: (from, to) => ({ files: all.filter((f) => f.day >= from && f.day <= to).map((f) => f.path), release: () => undefined }),
    expiredDaysIn: () => [],
  };
  const range = (days: number) => ({ from: dayFromIndex(dayIndex(TODAY) - days + 1), to: TODAY });
  const shapes: { filter?: SegmentFilter; breakdownBy?: Dimension; label: string }[] = [
    { label: 'all' },
    { label: 'product', filter: { products: ['studio.desktop'] } },
    { label: 'os=windows', filter: { os: ['windows'] } },
    { label: 'by OS', breakdownBy: 'OS' },
    { label: 'by version', breakdownBy: 'APP_VERSION' },
    { label: 'DE+US trial by country', filter: { countries: ['DE', 'US'], licenseTypes: ['trial'] }, breakdownBy: 'COUNTRY' },
  ];
  const p = (exact: boolean): Precision => (exact ? 'EXACT' : 'APPROXIMATE');
  const list: { name: string; run: (exact: boolean) => Promise<unknown>; hasExact: boolean }[] = [];
  // The benchmark's set, through the five query functions (the engine's methods call them alike).
  const engine = {
    activeUsers: (args: Parameters<typeof activeUsers>[1]) => activeUsers(ctx, args),
    featureAdoption: (args: Parameters<typeof featureAdoption>[1]) => featureAdoption(ctx, args),
    latency: (args: Parameters<typeof latency>[1]) => latency(ctx, args),
    crashRate: (args: Parameters<typeof crashRate>[1]) => crashRate(ctx, args),
    retentionCohorts: (args: Parameters<typeof retentionCohorts>[1]) => retentionCohorts(ctx, args),
  } as unknown as TelemetryEngineApi;
  for (const q of dashboardQueries(TODAY, DAYS)) list.push({ name: `bench ${q.name}`, run: (e) => q.run(engine, p(e)), hasExact: q.hasExact });
  for (const days of [30, 90]) {
    for (const s of shapes) {
      const base = { range: range(days), filter: s.filter, breakdownBy: s.breakdownBy };
      list.push({ name: `activeUsers ${days}d ${s.label}`, run: (e) => activeUsers(ctx, { ...base, precision: p(e) }), hasExact: true });
      list.push({ name: `crashRate ${days}d ${s.label}`, run: (e) => crashRate(ctx, { ...base, precision: p(e) }), hasExact: true });
      list.push({ name: `latency ${days}d ${s.label}`, run: (e) => latency(ctx, { ...base, metric: 'startup', precision: p(e) }), hasExact: true });
      if (!s.breakdownBy) {
        list.push({
          name: `featureAdoption ${days}d ${s.label}`,
          run: (e) => featureAdoption(ctx, { range: base.range, filter: s.filter, precision: p(e) }),
          hasExact: true,
        });
        list.push({ name: `retentionCohorts ${days}d ${s.label}`, run: () => retentionCohorts(ctx, { range: base.range, filter: s.filter }), hasExact: false });
      }
    }
  }
  const cold = { bench: [] as number[], more: [] as number[] };
  const warm = { bench: [] as number[], more: [] as number[] };
  const p95 = (xs: number[]) => percentile(xs, 0.95);
  const median = (xs: number[]) => percentile(xs, 0.5);
  console.log(`\n${'query'.padEnd(60)} cold p50  cold p95  cached p50   exact`);
  const only = process.argv.indexOf('--only');
  for (const q of list.filter((x) => only < 0 || x.name.includes(process.argv[only + 1]))) {
    const c: number[] = [];
    const w: number[] = [];
    await q.run(false);
    for (let i = 0; i < RUNS; i++) {
      forgetCachedAnswers(pool);
      let t = performance.now();
      await q.run(false);
      c.push(performance.now() - t);
      t = performance.now();
      await q.run(false);
      w.push(performance.now() - t);
    }
    let exact = NaN;
    if (q.hasExact && process.argv.includes('--exact')) {
      const t = performance.now();
      await q.run(true);
      exact = performance.now() - t;
    }
    const set = q.name.startsWith('bench ') ? 'bench' : 'more';
    cold[set].push(...c);
    warm[set].push(...w);
    if (c.length === 0) continue;
    console.log(`${q.name.padEnd(60)} ${median(c).toFixed(1).padStart(8)} ${p95(c).toFixed(1).padStart(9)} ${median(w).toFixed(2).padStart(11)} ${Number.isNaN(exact) ? '' : exact.toFixed(0).padStart(7)}`);
  }
  const summary = (label: string, c: number[], w: number[]) => {
    if (c.length > 0) console.log(`${label}: cold p95 ${p95(c).toFixed(1)} ms, cold p50 ${median(c).toFixed(1)} ms; cached p95 ${p95(w).toFixed(2)} ms (${c.length} runs)`);
  };
  console.log('');
  summary('benchmark query set', cold.bench, warm.bench);
  summary('more shapes        ', cold.more, warm.more);
  summary('all queries        ', [...cold.bench, ...cold.more], [...warm.bench, ...warm.more]);
  pool.close();
}

/** Linear interpolation between order statistics (the benchmark's percentile). */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  return sorted[lo] + (sorted[Math.ceil(rank)] - sorted[lo]) * (rank - lo);
}

await main();
