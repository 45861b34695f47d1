import { Worker } from 'node:worker_threads';
import { InvalidBodyError, type IngestResult, TooManyEventsError } from '@telemetry/schema';

export interface EncodeRequest {
  readonly id: number;
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
  readonly maxEvents: number;
  readonly nowMs: number;
  readonly oldestAllowedMs: number;
  readonly sentAt: string | undefined;
}

export type EncodeReply =
  | { readonly id: number; readonly ok: true; readonly lines: string; readonly result: IngestResult }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

interface Pending {
  resolve(reply: { lines: string; result: IngestResult }): void;
  reject(err: unknown): void;
}

/**
 * V8's young generation of each worker (two semi-spaces and the new large-object space): 24 MB
 * instead of the default 48 MB (semi-spaces of 8 MB, not 16). A 5,000-event body still fits, the
 * encode rate did not change measurably, and each worker's heap peaked at 50-62 MB instead of
 * 84-92 MB (1M fleet events, 2 workers). Old space is left unbounded: a 10 MiB body must not
 * crash a worker.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 24 } as const;

/**
 * A few worker threads that turn request bodies into log lines (see encode-worker.ts). Requests go
 * to the worker with the fewest in flight. Errors come back by code and are rebuilt as the same
 * typed errors the main thread would have thrown.
 */
export class EncoderPool {
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(secret: string, size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./encode-worker.mjs', import.meta.url), { workerData: { secret }, resourceLimits: WORKER_LIMITS });
      const slot = { worker, inFlight: 0 };
      worker.on('message', (reply: EncodeReply) => {
        if (--slot.inFlight === 0) worker.unref();
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.ok) p.resolve({ lines: reply.lines, result: reply.result });
        else if (reply.code === 'invalid_body') p.reject(new InvalidBodyError(reply.message));
        else if (reply.code === 'too_many_events') p.reject(new TooManyEventsError(Number(/\d+/.exec(reply.message)?.[0] ?? 0)));
        else p.reject(new Error(reply.message));
      });
      worker.on('error', (err) => {
        // A crashed worker fails what it held; the pool keeps serving with the others.
        for (const [id, p] of this.pending) {
          p.reject(err);
          this.pending.delete(id);
        }
      });
      worker.unref();
      this.workers.push(slot);
    }
  }

  encode(req: Omit<EncodeRequest, 'id'>): Promise<{ lines: string; result: IngestResult }> {
    const id = this.nextId++;
    let slot = this.workers[0];
    for (const w of this.workers) if (w.inFlight < slot.inFlight) slot = w;
    // An idle worker must not keep the process alive, a busy one must: otherwise a script that
    // awaits ingestBody and has nothing else pending exits before the answer arrives.
    if (slot.inFlight++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Hand the bytes over without a copy when the view owns its whole buffer (a pooled slice
      // would drag the whole pool along, so that case is copied first).
      const body = req.body.byteLength === req.body.buffer.byteLength ? req.body : new Uint8Array(req.body);
      slot.worker.postMessage({ ...req, body, id } satisfies EncodeRequest, [body.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
