/**
 * End to end: the seeded fleet goes in through `engine.ingest` (validation, dedup, the loader and its
 * transaction) batch by batch, and every metric comes back through the engine's API, compared with
 * the plain-TypeScript reference.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DateRange, Day } from '@telemetry/schema';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TelemetryEngine } from '../index.ts';
import { expectDistinct, expectPercentile } from './testing/bounds.ts';
import { type Dataset, generateDataset, storedEvents, type ValidEvent } from './testing/dataset.ts';
import { refActiveUsers, refCrashRate, refFeatureAdoption, refLatency, refRetention } from './testing/reference.ts';

let dir: string;
let engine: TelemetryEngine;
let data: Dataset;
let events: ValidEvent[];
let whole: DateRange;

beforeAll(async () => {
  data = generateDataset({ seed: 11, users: 120 });
  dir = await mkdtemp(join(tmpdir(), 'metrics-e2e-'));
  engine = await TelemetryEngine.open({
    dataDir: dir,
    clock: () => Date.parse(`${data.today}T23:00:00Z`),
    background: false,
    threads: 2,
    hashSecret: 'e2e-secret',
  });
  await engine.updateSettings({ enabled: true });
  let rejected = 0;
  for (const batch of data.batches) {
    const r = await engine.ingest(batch);
    rejected += r.rejected.length;
    await engine.flush();
  }
  expect(rejected).toBeGreaterThan(0); // the malformed ones
  events = storedEvents(data.batches);
  whole = { from: data.firstDay as Day, to: data.today as Day };
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

test('everything accepted is stored once', async () => {
  const status = await engine.storageStatus();
  expect(status.totalEvents).toBe(events.length);
});

test('active users', async () => {
  expect(await engine.activeUsers({ range: whole })).toEqual(refActiveUsers(events, whole));
  expect(await engine.activeUsers({ range: whole, precision: 'EXACT', breakdownBy: 'PRODUCT' })).toEqual(refActiveUsers(events, whole, {}, 'PRODUCT'));
  const ref = refActiveUsers(events, whole, { os: ['macos'] }, 'COUNTRY');
  const got = await engine.activeUsers({ range: whole, filter: { os: ['macos'] }, breakdownBy: 'COUNTRY' });
  expect(got.map((p) => `${p.day}|${p.segment}`)).toEqual(ref.map((p) => `${p.day}|${p.segment}`));
  got.forEach((p, i) => (['dau', 'wau', 'mau'] as const).forEach((m) => expectDistinct(p[m], ref[i][m], `${m} ${p.day} ${p.segment}`)));
});

test('feature adoption', async () => {
  expect(await engine.featureAdoption({ range: whole })).toEqual(refFeatureAdoption(events, whole));
  const range = { from: '2025-02-15', to: '2025-03-10' } as DateRange;
  expect(await engine.featureAdoption({ range, filter: { products: ['alpha'] }, precision: 'EXACT' })).toEqual(
    refFeatureAdoption(events, range, { products: ['alpha'] }),
  );
});

test('latency', async () => {
  const ref = refLatency(events, whole, 'response', 'WEEK', {}, 'OS');
  const got = await engine.latency({ range: whole, metric: 'response', granularity: 'WEEK', breakdownBy: 'OS' });
  expect(got.map((p) => [p.period, p.segment, p.count])).toEqual(ref.map((p) => [p.period, p.segment, p.count]));
  got.forEach((p, i) => (['p50', 'p90', 'p95', 'p99'] as const).forEach((q) => expectPercentile(p[q], ref[i][q], `${q} ${p.period}`)));
});

test('crash rate', async () => {
  const ref = refCrashRate(events, whole, 'DAY', { products: ['beta.app'] });
  const got = await engine.crashRate({ range: whole, filter: { products: ['beta.app'] } });
  expect(got.map((p) => [p.period, p.crashes, p.activeUsers])).toEqual(ref.map((p) => [p.period, p.crashes, p.activeUsers]));
  got.forEach((p, i) => (['sessions', 'crashedSessions', 'crashedUsers'] as const).forEach((m) => expectDistinct(p[m], ref[i][m], m)));
  expect(await engine.crashRate({ range: whole, granularity: 'MONTH', breakdownBy: 'APP_VERSION', precision: 'EXACT' })).toEqual(
    refCrashRate(events, whole, 'MONTH', {}, 'APP_VERSION'),
  );
});

test('retention cohorts', async () => {
  expect(await engine.retentionCohorts({ range: whole })).toEqual(refRetention(events, whole, 'WEEK', 12, data.today));
  expect(await engine.retentionCohorts({ range: whole, granularity: 'MONTH', filter: { products: ['gamma-cli'] } })).toEqual(
    refRetention(events, whole, 'MONTH', 12, data.today, { products: ['gamma-cli'] }),
  );
});
