/**
 * Quick local measurement of the lifecycle jobs (not part of the test suite):
 *   npx tsx packages/engine/src/lifecycle/bench-lifecycle.ts [events=1000000] [days=30]
 * Prints export rows/s per format (EVENTS, whole range) and retention ms per dropped day.
 */
import { addDays, type Day } from '@telemetry/schema';
import { ingestAll, makeEvents, openTestEngine } from './test-fixtures.ts';

const events = Number(process.argv[2] ?? 1_000_000);
const days = Number(process.argv[3] ?? 30);
const today = '2026-03-01' as Day;
const t = await openTestEngine({ now: `${today}T12:00:00Z` });
try {
  await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  const from = addDays(today, -(days - 1));
  const perDay = Math.ceil(events / days);
  let started = performance.now();
  // Generated and ingested a few days at a time, so the generator does not hold every event.
  for (let d = from; d <= today; d = addDays(d, 5)) {
    const to = addDays(d, 4) < today ? addDays(d, 4) : today;
    await ingestAll(t.engine, makeEvents({ from: d, to, perDay, users: Math.max(100, Math.floor(events / 50)), seed: d.length + Date.parse(d) }));
  }
  await t.engine.compactNow();
  const total = (await t.engine.storageStatus()).totalEvents;
  console.log(`arranged ${total} events over ${days} days in ${Math.round(performance.now() - started)} ms`);

  for (const format of ['PARQUET', 'CSV', 'NDJSON', 'ARROW'] as const) {
    // JS memory (heap + array buffers) sampled during the export: flat means independent of rows.
    const js = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const js0 = js();
    let peak = js0;
    const sampler = setInterval(() => (peak = Math.max(peak, js())), 5);
    started = performance.now();
    const x = await t.engine.createExport({ dataset: 'EVENTS', format, range: { from, to: today } });
    const ms = performance.now() - started;
    clearInterval(sampler);
    console.log(
      `export EVENTS ${format.padEnd(7)} ${x.rows} rows ${(x.bytes / 1e6).toFixed(1)} MB in ${Math.round(ms)} ms = ${Math.round(x.rows / (ms / 1000)).toLocaleString()} rows/s (JS memory peak +${Math.round((peak - js0) / 1e6)} MB, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)`,
    );
  }
  started = performance.now();
  try {
    const agg = await t.engine.createExport({ dataset: 'DAILY_AGGREGATES', format: 'PARQUET', range: { from, to: today } });
    console.log(`export DAILY_AGGREGATES PARQUET ${agg.rows} rows in ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    console.log(`export DAILY_AGGREGATES failed: ${(err as Error).message.split('\n')[0]}`);
  }

  const keep = Math.max(1, Math.floor(days / 3));
  await t.engine.updateSettings({ storageDurationDays: keep });
  const report = await t.engine.runRetention();
  console.log(
    `retention dropped ${report.droppedDays.length} days / ${report.droppedEvents} events in ${report.durationMs} ms = ${(report.durationMs! / Math.max(1, report.droppedDays.length)).toFixed(1)} ms/day`,
  );
} finally {
  if (process.env.KEEP_BENCH_DIR) {
    await t.engine.close();
    console.log(`kept ${t.dir}`);
  } else await t.dispose();
}
