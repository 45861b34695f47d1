/**
 * Quick local measurement of the lifecycle jobs (not part of the test suite):
 *
 *   npx tsx packages/engine/src/lifecycle/bench-lifecycle.ts [--events 2000000] [--days 30] [--runs 3]
 *       [--formats PARQUET,CSV,NDJSON,ARROW] [--dir DIR] [--no-retention] [--json FILE]
 *
 * (the old positional form `bench-lifecycle.ts <events> <days>` still works). Arranges `events`
 * events over `days` days (or reuses `--dir` when it already holds an engine: arranging 2M events
 * takes minutes, so keep one with `--dir` and measure it many times), then exports EVENTS of the
 * whole range in every format, `runs` rounds, the formats interleaved within a round so a busy
 * machine slows them alike. Nothing else runs meanwhile (no ingest). Per format it prints rows/s of
 * every run (median and best), the process CPU time it took (user + sys, all threads: steadier than
 * wall time on a shared machine) and the peak RSS growth over the RSS before the export (the kernel's
 * high-water mark, reset before each export; flat = independent of the number of rows). Then the
 * DAILY_AGGREGATES export and, unless --no-retention (it drops days, so a reused dir shrinks), retention ms per dropped day.
 * Export files are removed after each run (an NDJSON export of 2M events is 800 MB).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addDays, type Day, EXPORT_FORMATS, type ExportFormat } from '@telemetry/schema';
import { ingestAll, makeEvents, openTestEngine } from './test-fixtures.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    events: { type: 'string' },
    days: { type: 'string' },
    runs: { type: 'string', default: '3' },
    formats: { type: 'string', default: EXPORT_FORMATS.join(',') },
    dir: { type: 'string' },
    'no-retention': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}
const events = Number(args.events ?? positionals[0] ?? 2_000_000);
const days = Number(args.days ?? positionals[1] ?? 30);
const runs = Number(args.runs);
const formats = args.formats.split(',').map((f) => f.trim().toUpperCase()) as ExportFormat[];
for (const f of formats) if (!EXPORT_FORMATS.includes(f)) throw new Error(`unknown format ${f}`);

/** The kernel's RSS high-water mark, reset (Linux: clear_refs 5) before each export; null elsewhere. */
const hwm = {
  reset(): boolean {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  },
  read(): number | null {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  },
};

const today = '2026-03-01' as Day;
const from = addDays(today, -(days - 1));
const reuse = !!args.dir && existsSync(join(args.dir, 'engine.duckdb'));
const t = await openTestEngine({ now: `${today}T12:00:00Z`, dir: args.dir });
const mb = (b: number) => Math.round(b / 1e6);
try {
  let started = performance.now();
  if (!reuse) {
    await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
    const perDay = Math.ceil(events / days);
    // Generated and ingested a few days at a time, so the generator does not hold every event.
    for (let d = from; d <= today; d = addDays(d, 5)) {
      const to = addDays(d, 4) < today ? addDays(d, 4) : today;
      await ingestAll(t.engine, makeEvents({ from: d, to, perDay, users: Math.max(100, Math.floor(events / 50)), seed: d.length + Date.parse(d) }));
    }
    await t.engine.compactNow();
  }
  const total = (await t.engine.storageStatus()).totalEvents;
  console.log(`${reuse ? 'reused' : 'arranged'} ${total} events over ${days} days in ${Math.round(performance.now() - started)} ms (${t.dir})`);

  const results: Record<string, { rowsPerSec: number[]; cpuMs: number[]; rssGrowthMb: number[]; jsPeakMb: number[]; bytes: number; rows: number }> = {};
  for (let run = 1; run <= runs; run++) {
    for (const format of formats) {
      (globalThis as { gc?: () => void }).gc?.();
      const rss0 = process.memoryUsage.rss();
      const kernelPeak = hwm.reset();
      // JS memory (heap + array buffers) and RSS sampled during the export (the sampler only sees
      // moments the event loop is free; the kernel's high-water mark sees everything).
      const js = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      const js0 = js();
      let jsPeak = js0;
      let rssPeak = rss0;
      const sampler = setInterval(() => {
        jsPeak = Math.max(jsPeak, js());
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      }, 5);
      started = performance.now();
      const cpu0 = process.cpuUsage();
      const x = await t.engine.createExport({ dataset: 'EVENTS', format, range: { from, to: today } });
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      const peak = kernelPeak ? (hwm.read() ?? rssPeak) : rssPeak;
      const r = (results[format] ??= { rowsPerSec: [], cpuMs: [], rssGrowthMb: [], jsPeakMb: [], bytes: x.bytes, rows: x.rows });
      r.rowsPerSec.push(Math.round(x.rows / (ms / 1000)));
      r.cpuMs.push(Math.round((cpu.user + cpu.system) / 1000));
      r.rssGrowthMb.push(mb(peak - rss0));
      r.jsPeakMb.push(mb(jsPeak - js0));
      console.log(
        `run ${run} export EVENTS ${format.padEnd(7)} ${x.rows} rows ${(x.bytes / 1e6).toFixed(1)} MB in ${Math.round(ms)} ms = ${Math.round(x.rows / (ms / 1000)).toLocaleString()} rows/s,` +
          ` CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms (user ${Math.round(cpu.user / 1000)}, sys ${Math.round(cpu.system / 1000)})` +
          ` (peak RSS +${mb(peak - rss0)} MB over ${mb(rss0)} MB, JS memory peak +${mb(jsPeak - js0)} MB)`,
      );
      await rm(x.path, { force: true });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  console.log(`\nsummary over ${runs} run(s), ${total} events${kernelNote()}:`);
  for (const [format, r] of Object.entries(results)) {
    console.log(
      `  EVENTS ${format.padEnd(7)} median ${median(r.rowsPerSec).toLocaleString().padStart(9)} rows/s, best ${Math.max(...r.rowsPerSec).toLocaleString().padStart(9)} rows/s, ` +
        `CPU median ${median(r.cpuMs)} ms (${(r.rows / (median(r.cpuMs) / 1000) / 1e6).toFixed(2)}M rows per CPU-second), ` +
        `peak RSS growth max +${Math.max(...r.rssGrowthMb)} MB, ${(r.bytes / r.rows).toFixed(0)} bytes/row`,
    );
  }

  started = performance.now();
  try {
    const agg = await t.engine.createExport({ dataset: 'DAILY_AGGREGATES', format: 'PARQUET', range: { from, to: today } });
    console.log(`export DAILY_AGGREGATES PARQUET ${agg.rows} rows in ${Math.round(performance.now() - started)} ms`);
    await rm(agg.path, { force: true });
  } catch (err) {
    console.log(`export DAILY_AGGREGATES failed: ${(err as Error).message.split('\n')[0]}`);
  }

  if (!args['no-retention']) {
    const keep = Math.max(1, Math.floor(days / 3));
    await t.engine.updateSettings({ storageDurationDays: keep });
    const report = await t.engine.runRetention();
    console.log(
      `retention dropped ${report.droppedDays.length} days / ${report.droppedEvents} events in ${report.durationMs} ms = ${(report.durationMs! / Math.max(1, report.droppedDays.length)).toFixed(1)} ms/day`,
    );
  }
  if (args.json) {
    const out: Record<string, number> = { events: total };
    for (const [format, r] of Object.entries(results)) {
      out[`export.events.${format.toLowerCase()}.rowsPerSec`] = median(r.rowsPerSec);
      out[`export.events.${format.toLowerCase()}.bestRowsPerSec`] = Math.max(...r.rowsPerSec);
      out[`export.events.${format.toLowerCase()}.peakRssGrowthMb`] = Math.max(...r.rssGrowthMb);
      out[`export.events.${format.toLowerCase()}.cpuMs`] = median(r.cpuMs);
    }
    writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
  }
} finally {
  if (args.dir) {
    await t.engine.close();
    console.log(`kept ${t.dir}`);
  } else await t.dispose();
}

function kernelNote(): string {
  return hwm.reset() ? '' : ' (peak RSS sampled every 5 ms: no /proc/self/clear_refs here)';
}
