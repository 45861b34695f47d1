import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { TelemetryEngine } from '@telemetry/engine';
import { formatRate, ProgressReporter } from '../../stats.ts';
import { engineIngestMs, ingestFleet } from '../ingest-fleet.ts';
import { LoadLog } from '../load-log.ts';
import { measureQueries, plannedExecutions, summarizeRun } from '../query-timing.ts';
import { dashboardQueries } from '../query-set.ts';
import type { Stage } from '../run-state.ts';

/**
 * "Flat as events grow": the same query set over a fleet of the --quick size (same seed, days and
 * end day), in the same run, so `query.approx.p95Ms` and `query.approx.p95MsAt1M` sit side by side
 * on the same machine state. Runs only when the main fleet is larger.
 */
export const queryScalingStage: Stage = {
  name: 'query-scaling',
  blockedBy: (state) =>
    state.options.events > state.options.scalingEvents ? null : `the run is already at the comparison size (${state.options.scalingEvents} events)`,
  async run({ state, put, problem, log }) {
    const n = state.options.scalingEvents;
    const suffix = `At${formatRate(n).replace(/\.00(?=[A-Za-z])/, '')}`; // At1M
    const dataDir = join(state.tmpDir, 'scaling');
    const loadLog = new LoadLog();
    const engine = await TelemetryEngine.open({ dataDir, clock: () => state.clockMs, logger: loadLog.logger });
    state.cleanups.push(() => engine.close());
    try {
      await engine.updateSettings({ enabled: true, storageDurationDays: state.options.storageDurationDays });
      const r = await ingestFleet(engine, { ...state.fleet, events: n }, state.options.libraryBatchSize, `ingest ${formatRate(n)}`, log);
      put(`ingest.library.eventsPerSec${suffix}`, (r.items * 1000) / engineIngestMs(r, loadLog.busyMs));
      await engine.compactNow();
      const queries = dashboardQueries(state.plan.endDay, state.options.days);
      const progress = new ProgressReporter({ label: `queries ${formatRate(n)}`, total: plannedExecutions(queries, state.options.queryReps), unit: 'queries', write: log, intervalMs: 3000 });
      const m = await measureQueries(engine, queries, state.options.queryReps, (k) => progress.update(k));
      // query.approx.p95Ms -> query.approx.p95MsAt1M, per family and range likewise.
      summarizeRun(m.approx, queries, 'query.approx', (key, value) => put(key + suffix, value));
      summarizeRun(m.exact, queries, 'query.exact', (key, value) => put(key + suffix, value));
      for (const [name, message] of [...m.approx.errors, ...m.exact.errors]) problem(name, message);
    } finally {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
