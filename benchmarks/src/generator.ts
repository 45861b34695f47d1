import { open } from 'node:fs/promises';
import { planFleet, type FleetOptions, type FleetPlan } from './fleet-plan.ts';
import { FleetSimulator, type FleetItem, type FleetStats } from './fleet-simulator.ts';

/** Options of the stream functions: the fleet, plus an optional sink for its running counters. */
export interface FleetStreamOptions extends FleetOptions {
  /** Filled in while the stream runs (emitted, late, duplicates, malformed, ...). */
  readonly stats?: FleetStats;
}

const ITEM_CHUNK = 4096;

/**
 * The fleet's events one by one: exactly `options.events` items, day by day, with late sessions,
 * re-sends and malformed objects mixed in. Deterministic for a seed and an `endDay`.
 *
 * @example
 * for (const event of generateFleet({ seed: 7, events: 1000, days: 30, endDay: '2025-03-31' })) send(event);
 */
export function* generateFleet(options: FleetStreamOptions = {}): Generator<FleetItem, void, undefined> {
  for (const batch of fleetBatches(options, ITEM_CHUNK)) yield* batch;
}

/**
 * The same stream cut into arrays of `batchSize` (the last one shorter): the cheap way to feed an
 * ingest API. Each array is new, so a consumer may keep it.
 *
 * @example
 * for (const batch of fleetBatches({ seed: 1, events: 10_000_000 }, 10_000)) await engine.ingest(batch);
 */
export function* fleetBatches(options: FleetStreamOptions = {}, batchSize = 10_000): Generator<FleetItem[], void, undefined> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const simulator = new FleetSimulator(planFleet(options));
  for (;;) {
    const batch: FleetItem[] = [];
    simulator.fill(batch, batchSize);
    if (options.stats) Object.assign(options.stats, simulator.stats);
    if (batch.length > 0) yield batch;
    if (simulator.done) return;
  }
}

/** Zeroed counters to pass as `options.stats`. */
export function emptyFleetStats(): FleetStats {
  return {
    emitted: 0,
    generated: 0,
    late: 0,
    duplicates: 0,
    malformed: 0,
    sessions: 0,
    crashedSessions: 0,
    peakPending: 0,
  };
}

export interface NdjsonWriteResult {
  readonly plan: FleetPlan;
  readonly events: number;
  readonly bytes: number;
  readonly ms: number;
}

export interface NdjsonWriteOptions {
  /** Called after each chunk is written with the events written so far. */
  readonly onProgress?: (eventsWritten: number) => void;
  /** Events per write (default 10,000, about 2.4 MB). */
  readonly chunkEvents?: number;
}

/**
 * Writes the fleet as NDJSON (one event per line) to `path`, streaming in chunks; memory stays flat.
 * The file is what both the engine's HTTP ingest and the DuckDB baseline read ("the same JSON").
 */
export async function writeFleetNdjson(
  options: FleetStreamOptions,
  path: string,
  writeOptions: NdjsonWriteOptions = {},
): Promise<NdjsonWriteResult> {
  const started = performance.now();
  const plan = planFleet(options);
  const file = await open(path, 'w');
  let events = 0;
  let bytes = 0;
  try {
    for (const batch of fleetBatches(options, writeOptions.chunkEvents ?? 10_000)) {
      let text = '';
      for (const item of batch) text += JSON.stringify(item) + '\n';
      const buffer = Buffer.from(text, 'utf8');
      await file.write(buffer);
      events += batch.length;
      bytes += buffer.length;
      writeOptions.onProgress?.(events);
    }
  } finally {
    await file.close();
  }
  return { plan, events, bytes, ms: performance.now() - started };
}

export { planFleet };
export type { FleetItem, FleetOptions, FleetPlan, FleetStats };
