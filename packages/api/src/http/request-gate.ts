import type { RequestHandler } from 'express';
import { sendRestError } from './rest-error.ts';

/**
 * Counts requests being answered and, once shutdown begins, refuses new ones with 503 and
 * `Connection: close`, so shutdown knows when the last answer has gone out.
 */
export class RequestGate {
  private active = 0;
  private closing = false;
  private waiters: Array<() => void> = [];

  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.closing) {
      res.setHeader('Connection', 'close');
      sendRestError(res, 503, 'unavailable', 'the server is shutting down; retry later', 5);
      return;
    }
    this.active++;
    res.once('close', () => {
      this.active--;
      if (this.active === 0) for (const w of this.waiters.splice(0)) w();
    });
    next();
  };

  get isClosing(): boolean {
    return this.closing;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Stops admitting requests; resolves once every admitted one has been answered (or dropped). */
  close(): Promise<void> {
    this.closing = true;
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
