import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { planFleet, type FleetStreamOptions } from '../generator.ts';
import { formatDuration, startRssSampler } from '../stats.ts';
import { startCpuShare } from './cpu-share.ts';
import { describeError } from './describe-error.ts';
import type { BenchResults } from './keys.ts';
import type { BenchOptions, StageName } from './options.ts';
import type { RunState, Stage, StageContext, StageReport, StageStatus } from './run-state.ts';
import { duckdbBaselineStage } from './stages/duckdb-baseline.ts';
import { fleetFileStage } from './stages/fleet-file.ts';
import { freshnessStage } from './stages/freshness.ts';
import { httpIngestStage } from './stages/http-ingest.ts';
import { libraryIngestStage } from './stages/library-ingest.ts';
import { postgresPeerStage } from './stages/postgres-peer.ts';
import { queriesStage } from './stages/queries.ts';
import { queryScalingStage } from './stages/query-scaling.ts';
import { retentionStage } from './stages/retention.ts';
import { storageStage } from './stages/storage.ts';

/**
 * The stages in run order. The engine stages come first, on a fresh process, so the engine's peak
 * RSS is not inflated by the NDJSON writer or the baseline's DuckDB; the library engine is closed
 * before the HTTP server starts, so the server's RSS is its own.
 */
export const STAGES: readonly Stage[] = [
  libraryIngestStage,
  storageStage,
  queriesStage,
  freshnessStage,
  retentionStage,
  fleetFileStage,
  duckdbBaselineStage,
  httpIngestStage,
  postgresPeerStage,
  queryScalingStage,
];

/** Stages whose RSS is the engine process's (`memory.peakRssMb`). */
const ENGINE_STAGES: ReadonlySet<StageName> = new Set(['library-ingest', 'storage', 'queries', 'freshness', 'retention']);

export interface BenchRun {
  readonly options: BenchOptions;
  readonly results: BenchResults;
  readonly stages: readonly StageReport[];
  readonly startedAt: string;
  readonly seconds: number;
  /** /proc/loadavg when the run began: other work on a 2-core machine moves every figure. */
  readonly loadAverageAtStart: string;
}

/** Hours after the start of the fleet's last day at which the engines' clocks stand. */
const CLOCK_HOURS_INTO_LAST_DAY = 20;

/**
 * Runs every stage in this process (the HTTP client excepted) and returns the numbers. A stage
 * that throws is reported with its error and its keys are absent; later stages still run unless
 * they need what it would have left (then they are `skipped`, saying why).
 *
 * @example
 * const run = await runBench(resolveBenchOptions({ events: 20_000, days: 30, skipPeer: true }));
 * console.log(run.results['ingest.library.eventsPerSec']);
 */
export async function runBench(options: BenchOptions): Promise<BenchRun> {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = await readFile('/proc/loadavg', 'utf8').then((t) => t.trim(), () => 'unknown');
  const t0 = performance.now();
  const fleet: FleetStreamOptions = { seed: options.seed, events: options.events, days: options.days, endDay: options.endDay };
  const plan = planFleet(fleet);
  const state: RunState = {
    options,
    plan,
    fleet,
    // Pinned inside the last day: "today" is the fleet's last day, and even its latest events are
    // within the future tolerance, while none is older than the storage duration.
    clockMs: Date.parse(`${plan.endDay}T00:00:00Z`) + CLOCK_HOURS_INTO_LAST_DAY * 3_600_000,
    tmpDir: await mkdtemp(join(options.workDir, 'telemetry-bench-')),
    results: { events: options.events },
    cleanups: [],
  };
  const reports: StageReport[] = [];
  options.log(`bench: ${options.events.toLocaleString('en-US')} events over ${options.days} days ending ${plan.endDay}, seed ${options.seed}, temp ${state.tmpDir}`);
  try {
    for (const stage of STAGES) {
      reports.push(await runStage(stage, state));
      // The library engine is done after the last engine stage: release its memory and files.
      if (stage.name === 'retention' && state.library) {
        await state.library.engine.close();
        state.library = undefined;
      }
    }
  } finally {
    for (const cleanup of state.cleanups.reverse()) {
      await cleanup().catch((err: unknown) => options.log(`cleanup failed: ${describeError(err)}`));
    }
    if (options.keepData) options.log(`kept ${state.tmpDir}`);
    else await rm(state.tmpDir, { recursive: true, force: true });
  }
  deriveResults(state.results, reports);
  return { options, results: state.results, stages: reports, startedAt, loadAverageAtStart, seconds: (performance.now() - t0) / 1000 };
}

async function runStage(stage: Stage, state: RunState): Promise<StageReport> {
  const { options } = state;
  const skip = (why: string): StageReport => {
    options.log(`- ${stage.name}: skipped (${why})`);
    return { name: stage.name, status: 'skipped', seconds: 0, peakRssMb: 0, cpu: null, errors: [], notes: [why] };
  };
  if (!options.stages.includes(stage.name)) return skip('not in --only');
  const blocked = stage.blockedBy?.(state) ?? null;
  if (blocked) return skip(blocked);

  const errors: string[] = [];
  const notes: string[] = [];
  const ctx: StageContext = {
    state,
    put(key, value) {
      if (!Number.isFinite(value)) {
        errors.push(`${key} came out as ${value}; left out`);
        return;
      }
      state.results[key] = value;
    },
    problem(what, err) {
      const line = `${what}: ${describeError(err)}`;
      errors.push(line);
      options.log(`  ! ${stage.name}: ${line}`);
    },
    note(text) {
      notes.push(text);
    },
    log: options.log,
  };
  options.log(`> ${stage.name}`);
  const sampler = startRssSampler();
  const cpu = startCpuShare();
  const t = performance.now();
  let status: StageStatus = 'ok';
  try {
    await stage.run(ctx);
    if (errors.length > 0) status = 'partial';
  } catch (err) {
    status = 'failed';
    errors.unshift(describeError(err));
  }
  const seconds = (performance.now() - t) / 1000;
  const { peakMb } = sampler.stop();
  const share = cpu.stop();
  state.results[`stage.${stage.name}.seconds`] = seconds;
  state.results[`stage.${stage.name}.peakRssMb`] = peakMb;
  if (Number.isFinite(share.machinePct)) state.results[`stage.${stage.name}.cpuMachinePct`] = share.machinePct;
  if (Number.isFinite(share.ownPct)) state.results[`stage.${stage.name}.cpuOwnPct`] = share.ownPct;
  const mark = status === 'ok' ? 'done' : status === 'partial' ? 'PARTIAL' : 'FAILED';
  options.log(`< ${stage.name}: ${mark} in ${formatDuration(seconds * 1000)}${status === 'failed' ? ` — ${errors[0]}` : ''}`);
  return { name: stage.name, status, seconds, peakRssMb: peakMb, cpu: share, errors, notes };
}

/** Keys computed from several stages: the ratio to the baseline and the engine's peak RSS. */
function deriveResults(results: BenchResults, reports: readonly StageReport[]): void {
  const library = results['ingest.library.eventsPerSec'];
  const baseline = results['ingest.baseline.duckdbCopyEventsPerSec'];
  if (library !== undefined && baseline !== undefined) results['ingest.library.ratioToBaseline'] = library / baseline;
  const http = results['ingest.http.eventsPerSec'];
  if (http !== undefined && baseline !== undefined) results['ingest.http.ratioToBaseline'] = http / baseline;
  const engineStages = reports.filter((r) => ENGINE_STAGES.has(r.name) && r.status !== 'skipped' && r.peakRssMb > 0);
  // Only when the ingest ran: the engine's peak is its peak while holding the fleet's data.
  if (engineStages.some((r) => r.name === 'library-ingest' && r.status !== 'failed')) {
    results['memory.peakRssMb'] = Math.max(...engineStages.map((r) => r.peakRssMb));
  }
  const peer = results['peer.postgres.ingestEventsPerSec'];
  if (library !== undefined && peer !== undefined) results['ingest.library.ratioToPostgres'] = library / peer;
  // Query latency grows with data: compare with the peer only at the same size.
  const peerQ = results['peer.postgres.queryP95Ms'];
  const approx = results['query.approx.p95Ms'];
  if (peerQ !== undefined && approx !== undefined && results['peer.postgres.events'] === results.events) {
    results['query.approx.speedupVsPostgres'] = peerQ / approx;
  }
}
