/** Shared arrange-steps of the lifecycle tests: a real engine in a temp dir, seeded events, disk scans. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays, type Day, dayStartMs } from '@telemetry/schema';
import type { BatchAggregator } from '../aggregate/aggregator.ts';
import type { EngineLogger } from '../options.ts';
import { TelemetryEngine } from '../telemetry-engine.ts';

export const DAY_MS = 86_400_000;

/** A mutable clock the engine reads; tests move `now` between steps. */
export interface TestClock {
  now: number;
}

export interface TestEngine {
  engine: TelemetryEngine;
  dir: string;
  clock: TestClock;
  reopen(): Promise<TelemetryEngine>;
  dispose(): Promise<void>;
}

export async function openTestEngine(
  options: { now: string; aggregator?: BatchAggregator; dir?: string; logger?: EngineLogger } = { now: '2026-03-01T12:00:00Z' },
): Promise<TestEngine> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'lifecycle-')));
  const clock: TestClock = { now: Date.parse(options.now) };
  const open = () =>
    TelemetryEngine.open({
      dataDir: dir,
      clock: () => clock.now,
      background: false,
      threads: 2,
      hashSecret: 'test-secret',
      aggregator: options.aggregator,
      logger: options.logger,
    });
  const t: TestEngine = {
    engine: await open(),
    dir,
    clock,
    async reopen() {
      await t.engine.close();
      t.engine = await open();
      return t.engine;
    },
    async dispose() {
      await t.engine.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** mulberry32: small, seeded, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = ['studio.app', 'sync-agent', 'reports_cli'];
const OSES = ['windows', 'macos', 'linux'];
const COUNTRIES = ['US', 'DE', 'JP', 'FR'];
const FEATURES = ['export_pdf_document', 'share', 'search', 'dark_mode_toggle'];
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0-beta.3'];

/**
 * `perDay` events on each day of [from, to], from `users` users (`user-<k>`), seeded. Every
 * type appears; some events carry a license and properties.
 */
export function makeEvents(options: { from: Day; to: Day; perDay: number; users: number; seed?: number; idPrefix?: string }): Record<string, unknown>[] {
  const r = rng(options.seed ?? 1);
  const out: Record<string, unknown>[] = [];
  const prefix = options.idPrefix ?? 'ev';
  for (let day = options.from; day <= options.to; day = addDays(day, 1)) {
    const start = dayStartMs(day);
    for (let i = 0; i < options.perDay; i++) {
      const u = Math.floor(r() * options.users);
      const roll = r();
      const type =
        roll < 0.15 ? 'session_start' : roll < 0.25 ? 'session_end' : roll < 0.55 ? 'feature_used' : roll < 0.8 ? 'performance' : roll < 0.85 ? 'crash' : roll < 0.9 ? 'error' : 'interaction';
      const e: Record<string, unknown> = {
        eventId: `${prefix}-${day}-${i}`,
        timestamp: new Date(start + Math.floor(r() * (DAY_MS - 1))).toISOString(),
        type,
        productId: PRODUCTS[u % PRODUCTS.length],
        userId: `user-${u}`,
        sessionId: `session-${u}-${day}-${Math.floor(r() * 3)}`,
        appVersion: VERSIONS[Math.floor(r() * VERSIONS.length)],
        os: OSES[u % OSES.length],
        osVersion: u % 5 === 0 ? undefined : '10.0.19045',
        country: COUNTRIES[u % COUNTRIES.length],
      };
      if (type === 'feature_used') e.name = FEATURES[Math.floor(r() * FEATURES.length)];
      if (type === 'performance') {
        e.name = r() < 0.5 ? 'startup' : 'response';
        e.value = Math.round(Math.exp(4 + r() * 2) * 100) / 100;
      }
      if (type === 'crash' || type === 'error') e.name = 'NullReferenceException';
      if (type === 'interaction') e.name = 'toolbar.button';
      if (u % 4 === 0) {
        e.licenseId = `license-${u % 12}`;
        e.licenseType = u % 8 === 0 ? 'enterprise' : 'pro';
      }
      if (i % 3 === 0) e.properties = { plan: 'trial', seats: u % 10, beta: u % 2 === 0, note: 'üñí ✓' };
      out.push(e);
    }
  }
  return out;
}

/** Ingests in batches of 5,000 (asserting nothing is rejected) and waits until it is all loaded. */
export async function ingestAll(engine: TelemetryEngine, events: readonly Record<string, unknown>[], flushEvery = Infinity): Promise<void> {
  let sinceFlush = 0;
  for (let i = 0; i < events.length; i += 5000) {
    const batch = events.slice(i, i + 5000);
    const res = await engine.ingest(batch);
    if (res.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(res.rejected.slice(0, 3))}`);
    sinceFlush += batch.length;
    if (sinceFlush >= flushEvery) {
      await engine.flush();
      sinceFlush = 0;
    }
  }
  await engine.flush();
}

/** Every file under `dir` (relative paths), recursively. */
export async function listFiles(dir: string, sub = ''): Promise<string[]> {
  const entries = await readdir(join(dir, sub), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const ent of entries) {
    const rel = join(sub, ent.name);
    if (ent.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** The `events/day=…` folders that exist. */
export async function dayDirs(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'events')).catch(() => [] as string[])).sort();
}

/** Runs SQL on a throwaway in-memory DuckDB (reading files the engine wrote, not its database). */
export async function withDuck<T>(fn: (all: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn(async (sql, params) => {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Event counts per day read from the Parquet files on disk (not from the manifest). */
export async function eventsPerDayOnDisk(dir: string): Promise<Map<string, number>> {
  const files = (await listFiles(dir, 'events')).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
  if (files.length === 0) return new Map();
  const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
  return withDuck(async (all) => {
    const rows = await all(`SELECT day::VARCHAR AS day, count(*)::INTEGER AS n FROM read_parquet(${list}, hive_partitioning = true) GROUP BY day`);
    return new Map(rows.map((r) => [r.day as string, r.n as number]));
  });
}

/** What APPROXIMATE queries (from the aggregates only) answer for a range: every metric family. */
export async function approximateAnswers(engine: TelemetryEngine, range: { from: Day; to: Day }): Promise<unknown> {
  return {
    activeUsers: await engine.activeUsers({ range }),
    activeByCountry: await engine.activeUsers({ range, breakdownBy: 'COUNTRY' }),
    crashRate: await engine.crashRate({ range }),
    crashRateWeekly: await engine.crashRate({ range, filter: { os: ['windows'] }, granularity: 'WEEK' }),
    latency: await engine.latency({ range, metric: 'startup', breakdownBy: 'PRODUCT' }),
    features: await engine.featureAdoption({ range }),
    cohorts: await engine.retentionCohorts({ range, granularity: 'WEEK' }),
  };
}
