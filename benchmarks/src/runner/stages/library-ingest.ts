import { join } from 'node:path';
import { TelemetryEngine } from '@telemetry/engine';
import { engineIngestMs, ingestFleet } from '../ingest-fleet.ts';
import { LoadLog } from '../load-log.ts';
import type { Stage } from '../run-state.ts';

/**
 * `ingest.library.eventsPerSec`: the fleet through the engine API in batches of 10,000 until durable
 * AND aggregated (first ingest() to flush() resolved), generator time left out unless the loader
 * was busy longer (see engineIngestMs). The engine it fills stays open for the storage, query and
 * retention stages.
 */
export const libraryIngestStage: Stage = {
  name: 'library-ingest',
  async run({ state, put, note, problem, log }) {
    const { options } = state;
    const dataDir = join(state.tmpDir, 'library');
    const loadLog = new LoadLog();
    const engine = await TelemetryEngine.open({ dataDir, clock: () => state.clockMs, logger: loadLog.logger });
    state.cleanups.push(() => engine.close());
    // Long enough that no event of the fleet is too old on the pinned clock.
    await engine.updateSettings({ enabled: true, storageDurationDays: options.storageDurationDays });

    const r = await ingestFleet(engine, state.fleet, options.libraryBatchSize, 'library ingest', log);
    const engineMs = engineIngestMs(r, loadLog.busyMs);
    put('ingest.library.eventsPerSec', (r.items * 1000) / engineMs);
    put('ingest.library.wallEventsPerSec', (r.items * 1000) / r.totalMs);
    put('ingest.library.ackEventsPerSec', (r.items * 1000) / (r.ackMs - r.sourceMs));
    put('ingest.library.seconds', engineMs / 1000);
    put('ingest.library.generatorSec', r.sourceMs / 1000);
    put('ingest.library.flushWaitSec', (r.totalMs - r.ackMs) / 1000);
    put('ingest.library.accepted', r.accepted);
    put('ingest.library.rejected', r.rejected);
    put('ingest.library.overloadRetries', r.overloadRetries);
    put('fleet.generatorEventsPerSec', (r.items * 1000) / r.sourceMs);
    put('fleet.late', r.fleetStats.late);
    put('fleet.duplicates', r.fleetStats.duplicates);
    put('fleet.malformed', r.fleetStats.malformed);
    put('fleet.sessions', r.fleetStats.sessions);
    put('fleet.users', state.plan.users);
    loadLog.report('ingest.library', put);
    if (loadLog.busyMs > r.totalMs - r.sourceMs) {
      note(
        `library ingest: loader-bound: the background loader was busy ${(loadLog.busyMs / 1000).toFixed(1)} s of the ` +
          `${(r.totalMs / 1000).toFixed(1)} s run (generator ${(r.sourceMs / 1000).toFixed(1)} s): the rate is over the loader's busy time`,
      );
    }
    for (const e of loadLog.errors) problem('engine logged an error', new Error(e));

    const status = await engine.storageStatus();
    put('ingest.library.storedEvents', status.totalEvents);
    state.library = { engine, dataDir, storedEvents: status.totalEvents };
  },
};
