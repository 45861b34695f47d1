import { parentPort, workerData } from 'node:worker_threads';
import { InvalidBodyError, parseEventsBody, TooManyEventsError } from '@telemetry/schema';
import { encodeBatch } from './batch-encoder.ts';
import { Pseudonymizer } from './pseudonymizer.ts';
import type { EncodeReply, EncodeRequest } from './encoder-pool.ts';

/**
 * An encoder worker: parses a request body, validates, scrubs, pseudonymizes and encodes its
 * events into log lines. Only the finished lines (one string) and the answer cross back to the
 * main thread, which then just appends and fsyncs — JSON.parse and the per-event work of a busy
 * ingest endpoint run here, off the thread that serves HTTP.
 */
const pseudonymizer = new Pseudonymizer((workerData as { secret: string }).secret);

parentPort!.on('message', (req: EncodeRequest) => {
  let reply: EncodeReply;
  try {
    const body = parseEventsBody(req.body, req.contentType, req.maxEvents);
    const { lines, result } = encodeBatch(body.events, {
      nowMs: req.nowMs,
      oldestAllowedMs: req.oldestAllowedMs,
      pseudonymizer,
      sentAt: body.sentAt ?? req.sentAt,
    });
    reply = { id: req.id, ok: true, lines, result };
  } catch (err) {
    const code = err instanceof InvalidBodyError || err instanceof TooManyEventsError ? err.code : 'internal';
    reply = { id: req.id, ok: false, code, message: String((err as Error)?.message ?? err) };
  }
  parentPort!.postMessage(reply);
});
