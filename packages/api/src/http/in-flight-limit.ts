import type { RequestHandler, Response } from 'express';
import { sendRestError } from './rest-error.ts';

/**
 * Caps the requests a route works on at once; the one over the cap gets 429 with Retry-After
 * before its body is read. Each ingest request may hold up to 10 MiB of body plus its parsed
 * events, so this cap is what bounds the server's memory under a flood of senders.
 *
 * A slot is freed when the response is closed and, if the route registered work with
 * `holdSlotUntil`, when that work is settled too — a client that hangs up does not free memory
 * its batch still occupies inside the engine.
 */
export function limitInFlight(maxInFlight: number, retryAfterSeconds = 1): RequestHandler & { readonly inFlight: () => number } {
  let inFlight = 0;
  const handler: RequestHandler = (_req, res, next) => {
    if (inFlight >= maxInFlight) {
      sendRestError(res, 429, 'too_many_requests', `more than ${maxInFlight} ingest requests in flight; retry later`, retryAfterSeconds);
      return;
    }
    inFlight++;
    res.once('close', () => {
      const work = res.locals[WORK as unknown as string] as Promise<unknown> | undefined;
      if (work) void work.finally(() => inFlight--).catch(() => undefined);
      else inFlight--;
    });
    next();
  };
  return Object.assign(handler, { inFlight: () => inFlight });
}

const WORK = Symbol.for('telemetry.inFlightWork');

/** Keeps the request's in-flight slot until `work` settles, even if the client goes away. */
export function holdSlotUntil(res: Response, work: Promise<unknown>): void {
  res.locals[WORK as unknown as string] = work;
}
