import pg from 'pg';
import { fleetBatches } from '../../generator.ts';
import { loadIntoPostgres, runPostgresQueries, startPostgres } from '../../postgres-peer.ts';
import { percentile, ProgressReporter } from '../../stats.ts';
import { lastDays } from '../query-set.ts';
import type { Stage } from '../run-state.ts';

/**
 * `peer.postgres.ingestEventsPerSec` and `peer.postgres.queryP95Ms`: the colleague's peer module
 * (a private stock PostgreSQL, one indexed table, plain SQL), fed the same fleet and asked the same
 * dashboard questions over the same 30- and 90-day ranges. Skipped, with the reason, where
 * PostgreSQL is not installed or with --skip-peer.
 */
export const postgresPeerStage: Stage = {
  name: 'postgres-peer',
  blockedBy: (state) => (state.options.skipPeer ? '--skip-peer' : null),
  async run({ state, put, note, log }) {
    // Default base dir (the OS temp dir): under root the server runs as `postgres`, which cannot
    // enter this run's private (0700) temp directory.
    const server = await startPostgres();
    if ('skipped' in server) {
      note(server.skipped);
      return;
    }
    state.cleanups.push(() => server.stop());
    const client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    state.cleanups.push(() => client.end().catch(() => undefined));
    const events = state.options.peerEvents;
    const progress = new ProgressReporter({ label: 'PostgreSQL load', total: events, write: log, intervalMs: 5000 });
    // COPY into a staging table + INSERT ... ON CONFLICT per batch: the faster of the peer's two methods.
    const load = await loadIntoPostgres(client, fleetBatches({ ...state.fleet, events }, state.options.libraryBatchSize), {
      method: 'copy',
      onProgress: (n) => progress.update(n),
    });
    progress.finish(load.items);
    put('peer.postgres.ingestEventsPerSec', load.eventsPerSec);
    put('peer.postgres.storedEvents', load.stored);
    put('peer.postgres.analyzeSec', load.analyzeMs / 1000);
    put('peer.postgres.events', events);

    const endDay = state.plan.endDay;
    const spans = [...new Set([Math.min(30, state.options.days), Math.min(90, state.options.days)])];
    const times: number[] = [];
    for (const span of spans) {
      const t = performance.now();
      const run = await runPostgresQueries(client, lastDays(endDay, span), { repeats: state.options.peerQueryReps, today: endDay });
      const ms = run.timings.map((x) => x.ms);
      times.push(...ms);
      put(`peer.postgres.${span}d.p95Ms`, run.p95Ms);
      log(`PostgreSQL queries ${span}d: ${run.timings.length} in ${((performance.now() - t) / 1000).toFixed(1)} s, p95 ${run.p95Ms.toFixed(0)} ms`);
    }
    put('peer.postgres.queryP95Ms', percentile(times, 0.95));
    put('peer.postgres.queryP50Ms', percentile(times, 0.5));
    note(`PostgreSQL peer: ${server.version}, ${events.toLocaleString('en-US')} events, ${times.length} timed queries (no warm-up)`);
  },
};
