import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { IDEMPOTENCY_WINDOW_MS, type IngestResult } from '@telemetry/schema';
import { fsyncDir, fsyncFile } from '../storage/fsync.ts';
import { dirname } from 'node:path';

interface Entry {
  readonly at: number;
  readonly result: IngestResult;
}

/**
 * Idempotency keys of the last 7 days and the answer each got. Recorded (fsynced) after the batch's
 * events are durable and before the answer: a crash in between means the client saw no answer and
 * retries; the retry's events are then dropped as duplicates by eventId, so nothing counts twice.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<IngestResult>>();

  private constructor(private readonly path: string) {}

  static async open(path: string, nowMs: number): Promise<IdempotencyStore> {
    const store = new IdempotencyStore(path);
    const text = await readFile(path, 'utf8').catch(() => '');
    let expired = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const { key, at, result } = JSON.parse(line) as { key: string; at: number; result: IngestResult };
        if (nowMs - at < IDEMPOTENCY_WINDOW_MS) store.entries.set(key, { at, result });
        else expired++;
      } catch {
        // torn tail of a crash: never acknowledged
      }
    }
    if (expired > 0) await store.rewrite();
    return store;
  }

  /** The earlier answer for `key` within the window, waiting for one still being written. */
  async lookup(key: string, nowMs: number): Promise<IngestResult | null> {
    const pending = this.inFlight.get(key);
    if (pending) return pending.then((r) => r, () => null);
    const e = this.entries.get(key);
    return e && nowMs - e.at < IDEMPOTENCY_WINDOW_MS ? e.result : null;
  }

  /** Runs `fn` for a new key, so that concurrent repeats of the same key wait for the first. */
  async claim(key: string, nowMs: number, fn: () => Promise<IngestResult>): Promise<IngestResult> {
    const p = (async () => {
      const result = await fn();
      if (result.telemetryEnabled) await this.record(key, nowMs, result);
      return result;
    })();
    this.inFlight.set(key, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async record(key: string, at: number, result: IngestResult): Promise<void> {
    await appendFile(this.path, JSON.stringify({ key, at, result }) + '\n', { mode: 0o600 });
    await fsyncFile(this.path);
    this.entries.set(key, { at, result });
  }

  private async rewrite(): Promise<void> {
    const tmp = this.path + '.tmp';
    await writeFile(tmp, [...this.entries].map(([key, e]) => JSON.stringify({ key, at: e.at, result: e.result }) + '\n').join(''), {
      mode: 0o600,
    });
    await rename(tmp, this.path);
    await fsyncDir(dirname(this.path));
  }
}
