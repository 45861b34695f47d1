import type { Response } from 'express';

/**
 * Answers a REST route's error as ingest.md shapes it: `{"error": {"code", "message"}}`.
 * `retryAfterSeconds` adds `Retry-After` (429/503).
 */
export function sendRestError(res: Response, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(status).json({ error: { code, message } });
}
