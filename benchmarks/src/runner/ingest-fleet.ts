import type { TelemetryEngine } from '@telemetry/engine';
import { emptyFleetStats, fleetBatches, type FleetStreamOptions } from '../generator.ts';
import type { FleetStats } from '../fleet-simulator.ts';
import { ProgressReporter } from '../stats.ts';

export interface FleetIngestResult {
  /** Items offered (valid, late, re-sent and malformed). */
  readonly items: number;
  readonly accepted: number;
  readonly rejected: number;
  /** From the first ingest() call to flush() resolved (wall clock, generator included). */
  readonly totalMs: number;
  /** From the first ingest() call until the last one resolved (every event acknowledged = fsynced). */
  readonly ackMs: number;
  /** Part of both spent inside the fleet generator producing the next batch. */
  readonly sourceMs: number;
  /** Batches refused with OVERLOADED (back-pressure) and retried. */
  readonly overloadRetries: number;
  readonly fleetStats: FleetStats;
}

const OVERLOAD_BACKOFF_MS = 25;

/**
 * Feeds the fleet to `engine.ingest` in batches, one batch in flight (a library caller's loop),
 * then `flush()`: the clock stops when every event is durable AND in Parquet and the aggregates.
 *
 * The generator runs inline and its time is measured (`sourceMs`) so the caller can leave it out,
 * as the PostgreSQL peer does: the rate is the engine's, not the synthetic source's. It is not
 * prebuilt in memory: 10M event objects (~3 GB of heap) would slow every garbage collection of the
 * engine and dwarf its RSS.
 *
 * On OverloadedError (the write queue is full) it waits briefly and retries the same batch, as a
 * well-behaved client would; a shorter wait than `retryAfterSeconds` keeps the measurement tight.
 */
export async function ingestFleet(
  engine: TelemetryEngine,
  fleet: FleetStreamOptions,
  batchSize: number,
  progressLabel: string,
  log: (line: string) => void,
): Promise<FleetIngestResult> {
  const fleetStats = emptyFleetStats();
  const total = fleet.events ?? 0;
  const progress = new ProgressReporter({ label: progressLabel, total, write: log, intervalMs: 2000 });
  const batches = fleetBatches({ ...fleet, stats: fleetStats }, batchSize)[Symbol.iterator]();
  let items = 0;
  let accepted = 0;
  let rejected = 0;
  let sourceMs = 0;
  let overloadRetries = 0;
  const started = performance.now();
  for (;;) {
    const t = performance.now();
    const next = batches.next();
    sourceMs += performance.now() - t;
    if (next.done) break;
    for (;;) {
      try {
        const answer = await engine.ingest(next.value);
        accepted += answer.accepted;
        rejected += answer.rejected.length;
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'OVERLOADED') throw err;
        overloadRetries++;
        await new Promise((r) => setTimeout(r, OVERLOAD_BACKOFF_MS));
      }
    }
    items += next.value.length;
    progress.update(items);
  }
  const ackMs = performance.now() - started;
  await engine.flush();
  const totalMs = performance.now() - started;
  progress.finish(items);
  return { items, accepted, rejected, totalMs, ackMs, sourceMs, overloadRetries, fleetStats };
}

/**
 * The engine's time in an ingest run: wall time minus the generator's, but never less than the
 * time the background loader was busy. Loads run one after another, so the loader's busy time is
 * a floor on the engine's; when the loader is the bottleneck it kept working while the generator
 * ran, and subtracting the generator's time would credit the engine with work it did meanwhile.
 */
export function engineIngestMs(r: FleetIngestResult, loaderBusyMs: number): number {
  return Math.max(r.totalMs - r.sourceMs, loaderBusyMs);
}
