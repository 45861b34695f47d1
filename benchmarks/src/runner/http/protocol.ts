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
