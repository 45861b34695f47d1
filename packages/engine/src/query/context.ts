import type { Day, SegmentFilter, TelemetrySettings } from '@telemetry/schema';
import type { SqlPool } from '../storage/duck.ts';

/**
 * A set of raw Parquet files pinned for reading: compaction and retention defer deleting a file
 * until every lease that saw it is released. Always release (try/finally).
 */
export interface FileLease {
  readonly files: readonly string[];
  release(): void;
}

/** What query and lifecycle functions may use of the engine, and nothing more. */
export interface QueryContext {
  /** Read-only connections to the engine's DuckDB (aggregate tables live there). */
  readonly pool: SqlPool;
  /** Today's UTC day by the engine's injected clock. */
  today(): Day;
  nowMs(): number;
  settings(): TelemetrySettings;
  /** Pins the raw Parquet files holding days in [from, to] (for EXACT queries and exports). */
  leaseRawFiles(from: Day, to: Day): FileLease;
  /** Days in [from, to] whose raw partitions were dropped by retention (EXACT must refuse them). */
  expiredDaysIn(from: Day, to: Day): Day[];
}

export type { SegmentFilter };
