/**
 * Where the CPU of library ingest goes, per event: the JS path that acknowledges (validate,
 * pseudonymize, encode, append and fsync the log) apart from the background load (read the log,
 * dedup, Parquet, aggregates, commit). The two are timed one after the other, not overlapped as in
 * `npm run bench`, so each figure is that part's own CPU (process CPU: DuckDB's threads included).
 * With --bodies the events arrive as the HTTP server receives them: JSON bodies of 5,000 events
 * handed to `ingestBody` (parsed and encoded in the engine's worker threads, two at a time, as the
 * server's four connections keep them busy). On 2 cores the sum bounds the rate: 2 s of CPU per
 * second / (µs per event). The whole log is one
 * segment, loaded at once (keep --events to a few million: the load holds it in memory).
 *
 *   npx tsx --max-semi-space-size=64 benchmarks/src/cpu-budget.ts [--events 3000000] [--days 90] [--bodies]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TelemetryEngine } from '@telemetry/engine';
import { fleetBatches, planFleet } from './generator.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, days: { type: 'string' }, bodies: { type: 'boolean' } } });
const events = Number(values.events ?? 3_000_000);
const days = Number(values.days ?? 90);
const fleet = { seed: 1, events, days, endDay: '2025-06-30' };
const plan = planFleet(fleet);
const clockMs = Date.parse(`${plan.endDay}T20:00:00Z`);

const dir = await mkdtemp(join(tmpdir(), 'cpu-budget-'));
// No background loads and no load kicked by the log's size: ingest only acknowledges.
const engine = await TelemetryEngine.open({ dataDir: dir, clock: () => clockMs, background: false, loadBatchEvents: Infinity, maxPendingEvents: Infinity });
try {
  await engine.updateSettings({ enabled: true, storageDurationDays: days + 30 });
  // Generated (and serialized) before timing: the generator's CPU is not the engine's.
  const ack = values.bodies ? await acknowledgeBodies() : await acknowledgeObjects();
  const load = await timed(() => engine.flush());
  const perEvent = (cpuMs: number) => (cpuMs * 1000) / events;
  const total = perEvent(ack.cpuMs) + perEvent(load.cpuMs);
  console.log(`${events.toLocaleString('en-US')} events over ${days} days (the log is loaded as one segment by one flush)`);
  const how = values.bodies ? 'JSON bodies: parse, validate, pseudonymize, encode in workers, log' : 'JS: validate, pseudonymize, encode, log';
  console.log(`acknowledge (${how}): ${perEvent(ack.cpuMs).toFixed(2)} µs CPU/event, wall ${(ack.wallMs / 1000).toFixed(1)} s`);
  console.log(`load (DuckDB: read, dedup, Parquet, aggregates, commit): ${perEvent(load.cpuMs).toFixed(2)} µs CPU/event, wall ${(load.wallMs / 1000).toFixed(1)} s`);
  console.log(`total ${total.toFixed(2)} µs CPU/event: at most ${Math.round(2e6 / total).toLocaleString('en-US')} events/s on 2 fully used cores`);
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}

async function acknowledgeObjects(): Promise<{ cpuMs: number; wallMs: number }> {
  const batches = [...fleetBatches(fleet, 10_000)];
  return timed(async () => {
    for (const batch of batches) await engine.ingest(batch);
  });
}

async function acknowledgeBodies(): Promise<{ cpuMs: number; wallMs: number }> {
  const bodies = [...fleetBatches(fleet, 5_000)].map((batch) => Buffer.from(JSON.stringify(batch)));
  await engine.ingestBody(Buffer.from('[]')); // starts the worker threads outside the timing
  return timed(async () => {
    let next = 0;
    const connection = async () => {
      while (next < bodies.length) await engine.ingestBody(bodies[next++], { contentType: 'application/json' });
    };
    await Promise.all([connection(), connection(), connection(), connection()]);
  });
}

async function timed(fn: () => Promise<void>): Promise<{ cpuMs: number; wallMs: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const u = process.cpuUsage(c);
  return { cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() - t };
}
