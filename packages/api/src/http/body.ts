import express, { type RequestHandler } from 'express';

export { InvalidBodyError, TooManyEventsError, isNdjson, parseEventsBody, type EventsBody } from '@telemetry/schema';

/**
 * Reads the whole request body into a Buffer, decompressing `Content-Encoding: gzip`, `deflate`
 * and `br`, with `maxBytes` counted AFTER decompression (body-parser pipes the request through
 * zlib and lets raw-body count the inflated bytes), so a gzip bomb stops at `maxBytes` with a 413
 * (`type: 'entity.too.large'`) and its rest is discarded unread into memory. An uncompressed body
 * whose Content-Length is already over the limit is refused before a byte is read.
 */
export function readBody(maxBytes: number): RequestHandler {
  return express.raw({ type: () => true, limit: maxBytes, inflate: true });
}
