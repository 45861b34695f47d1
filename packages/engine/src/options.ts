/** Options of TelemetryEngine.open. Everything but dataDir has a safe default. */
export interface EngineOptions {
  /** The data directory (created if absent). One engine owns it at a time. */
  readonly dataDir: string;
  /** Milliseconds since epoch; injected so tests and backfills control time. Default Date.now. */
  readonly clock?: () => number;
  /**
   * Secret for the keyed hashes of userId/licenseId. Default: read from `<dataDir>/secret.key`,
   * generated there (mode 0600) on first open.
   */
  readonly hashSecret?: string;
  /** How often acknowledged events are loaded into Parquet and the aggregates. Default 1000 ms. */
  readonly loadIntervalMs?: number;
  /** Load as soon as this many events wait in the log. Default 1,000,000. */
  readonly loadBatchEvents?: number;
  /** Refuse new batches (OverloadedError) while this many events wait to be loaded. Default 4,000,000. */
  readonly maxPendingEvents?: number;
  /** Compact a day once it has this many files. Default 8. */
  readonly compactAtFiles?: number;
  /** Run background work (loader, compaction) on timers. Default true; tests may drive it by flush(). */
  readonly background?: boolean;
  /** Worker threads that parse and encode request bodies for ingestBody (started on first use). Default 2. */
  readonly encoderThreads?: number;
  /** DuckDB's memory limit (e.g. '768MB', '2GB'); work beyond it spills to `<dataDir>/tmp`. Default '768MB'. */
  readonly memoryLimit?: string;
  /**
   * More DuckDB settings for the instance, by DuckDB's names (e.g. `allocator_flush_threshold`);
   * applied after the engine's own, so they win. Default: none.
   */
  readonly duckdbSettings?: Readonly<Record<string, string>>;
  /** DuckDB threads. Default: DuckDB's own (the machine's cores). */
  readonly threads?: number;
  /** Progress and warnings. Default: silent. */
  readonly logger?: EngineLogger;
}

export interface EngineLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: EngineLogger = { info() {}, warn() {}, error() {} };
