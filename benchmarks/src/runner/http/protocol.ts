/** What the HTTP ingest client child is told (as JSON in argv[2]). */
export interface ClientConfig {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  readonly ingestKey: string;
  /** The fleet's NDJSON. */
  readonly ndjsonPath: string;
  readonly batchSize: number;
  readonly connections: number;
}

/** Child -> parent messages over the IPC channel, in this order: ready, progress*, done | failed. */
export type ClientMessage =
  | { readonly type: 'ready'; readonly bodies: number; readonly events: number; readonly bytes: number; readonly prepareMs: number }
  | { readonly type: 'progress'; readonly events: number }
  | { readonly type: 'done'; readonly result: ClientResult }
  | { readonly type: 'failed'; readonly error: string };

/** Parent -> child: start posting (the parent's clock starts now). */
export type ParentMessage = { readonly type: 'go' };

export interface ClientResult {
  readonly requests: number;
  readonly events: number;
  readonly accepted: number;
  readonly rejected: number;
  /** 429/503 answers retried after Retry-After. */
  readonly retries: number;
  /** From 'go' to the last 200 (every batch acknowledged = fsynced by the server). */
  readonly ackMs: number;
  /** Per-request latency percentiles, ms (a retried request counts from its first attempt). */
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  /** Child's own peak RSS (MB): the pre-serialized bodies live here, not in the server. */
  readonly peakRssMb: number;
}

/**
 * What the server child is told (as JSON in argv[2]): it runs `startServer` over a fresh data
 * directory the way `npm start` does, but with the benchmark's pinned clock and tokens.
 */
export interface ServerConfig {
  readonly dataDir: string;
  readonly tokens: { readonly admin: string; readonly viewer: string; readonly ingest: readonly string[] };
  /** The engine's pinned clock (ms since epoch). */
  readonly clockMs: number;
  /** Telemetry is turned on with this storage duration before `ready`. */
  readonly storageDurationDays: number;
}

/** What the server's engine said about its loads (see load-log.ts), carried over IPC. */
export interface ServerLoadSummary {
  readonly loads: number;
  readonly loadedEvents: number;
  readonly busyMs: number;
  readonly stepMs: ReadonlyArray<readonly [string, number]>;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** The server's own view of its memory (main thread only: worker heaps are not in these). */
export interface ServerMemory {
  /** Peaks of process.memoryUsage() sampled every 100 ms, MB. */
  readonly heapTotalPeakMb: number;
  readonly externalPeakMb: number;
  readonly arrayBuffersPeakMb: number;
}

/** Server child -> parent, each the answer to one request (`ready` comes unasked, first). */
export type ServerMessage =
  | { readonly type: 'ready'; readonly url: string; readonly pid: number }
  | { readonly type: 'flushed' }
  | { readonly type: 'status'; readonly storedEvents: number; readonly load: ServerLoadSummary; readonly memory: ServerMemory }
  | { readonly type: 'closed' }
  | { readonly type: 'failed'; readonly error: string };

/** Parent -> server child. */
export type ServerRequest = { readonly type: 'flush' } | { readonly type: 'status' } | { readonly type: 'close' };
