import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '@telemetry/schema';
import type { TelemetryEngineApi } from '@telemetry/engine';
import type { TokenVerifier } from '../auth/tokens.ts';
import { clientMessage, isCodedError, mappingOf, retryAfterSecondsOf } from '../errors/error-map.ts';
import { describeError, type Logger } from '../log/logger.ts';
import { authenticate } from './authenticate.ts';
import { InvalidBodyError, readBody, TooManyEventsError } from './body.ts';
import { holdSlotUntil, limitInFlight } from './in-flight-limit.ts';
import type { RequestLogFields } from './request-log.ts';
import type { WorkTracker } from './work-tracker.ts';
import { sendRestError } from './rest-error.ts';

export interface IngestRouteOptions {
  readonly engine: TelemetryEngineApi;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** Events per request (ingest.md: 10,000). */
  readonly maxEvents: number;
  /** Body bytes per request after decompression (ingest.md: 10 MiB). */
  readonly maxBytes: number;
  /** Requests worked on at once before 429 (bounds memory: each holds up to maxBytes and its events). */
  readonly maxInFlight: number;
  /** Keeps engine work alive across a client hang-up until shutdown has waited for it. */
  readonly work?: WorkTracker;
}

/** `Retry-After` for an unexpected failure: retryable, so a client keeps its batch rather than dropping it. */
const RETRY_AFTER_INTERNAL_S = 5;

/**
 * `POST /v1/events` (ingest.md): authenticate the ingest key, cap concurrent requests, read and
 * inflate the body within the limits, and hand the bytes to `engine.ingestBody`, whose
 * answer (resolved once the accepted events are fsynced) is the 200 body as is.
 */
export function ingestRouter(options: IngestRouteOptions): Router {
  const router = Router();
  router.post(
    '/v1/events',
    authenticate(options.verifier, ['ingest'], (res) =>
      sendRestError(res, 401, 'unauthenticated', 'a valid ingest key is required: Authorization: Bearer <ingest key>'),
    ),
    limitInFlight(options.maxInFlight),
    readBody(options.maxBytes),
    ingestBatch(options),
    ingestErrors(options),
  );
  return router;
}

function ingestBatch({ engine, maxEvents, work: tracker }: IngestRouteOptions): RequestHandler {
  return async (req, res) => {
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      sendRestError(res, 400, 'invalid_idempotency_key', `the Idempotency-Key header must be 1..${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
      return;
    }
    const body = req.body as Buffer | undefined;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new InvalidBodyError('the body is empty; send a JSON array of events, {"events": [...]}, or NDJSON');
    }
    (req as { body?: unknown }).body = undefined; // the engine's encoder workers take the bytes over
    // Parsing, validation and encoding run in the engine's worker threads; this thread only appends
    // and fsyncs. A body's own sentAt wins over the X-Sent-At header (the engine applies that rule).
    const work = engine.ingestBody(body, {
      contentType: req.get('content-type'),
      maxEvents,
      idempotencyKey,
      sentAt: req.get('x-sent-at'),
    });
    tracker?.track(work);
    holdSlotUntil(res, work);
    const result = await work;
    const log = res.locals.log as RequestLogFields;
    log.eventsAccepted = result.accepted;
    if (result.rejected.length > 0) log.eventsRejected = result.rejected.length;
    res.status(200).json(result);
  };
}

/** body-parser's errors carry `type`; see its README ("Errors"). */
interface BodyReadError extends Error {
  type?: string;
  status?: number;
  code?: string;
}

function ingestErrors({ logger, maxBytes }: IngestRouteOptions): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const log = res.locals.log as RequestLogFields | undefined;
    const answer = (status: number, code: string, message: string, retryAfter?: number): void => {
      if (log) log.errorCode = code;
      sendRestError(res, status, code, message, retryAfter);
    };
    if (err instanceof InvalidBodyError) return answer(400, err.code, err.message);
    if (err instanceof TooManyEventsError) return answer(413, err.code, `${err.message}; nothing was stored`);
    const e = err as BodyReadError;
    switch (e?.type) {
      case 'entity.too.large':
        return answer(413, 'payload_too_large', `the body must be at most ${maxBytes} bytes after decompression; nothing was stored`);
      case 'encoding.unsupported':
        return answer(415, 'unsupported_encoding', 'Content-Encoding must be gzip, deflate, br or identity');
      case 'request.aborted':
        return answer(400, 'request_aborted', 'the request was aborted before its body was complete');
      case 'request.size.invalid':
        return answer(400, 'invalid_body', 'the body length does not match Content-Length');
      case 'charset.unsupported':
        return answer(415, 'unsupported_charset', 'the body must be UTF-8');
    }
    if (e?.status === 400 && typeof e.code === 'string' && e.code.startsWith('Z_')) {
      return answer(400, 'invalid_body', 'the body is not valid for its Content-Encoding (corrupt compressed data)');
    }
    if (isCodedError(err)) {
      const m = mappingOf(err);
      // OVERLOADED is routine under load (the request line records it); hidden messages are for us.
      if (!m.exposeMessage) logger.warn('ingest refused', describeError(err));
      return answer(m.httpStatus, m.restCode, clientMessage(err), m.retryable ? retryAfterSecondsOf(err) : undefined);
    }
    // Unknown failure (a bug, a full disk): logged for us, retryable for the client so it keeps the batch
    // (OTLP's lesson: a 500 made clients drop data that a retry would have saved).
    logger.error('ingest failed', describeError(err));
    return answer(503, 'internal', 'the server could not store the batch; retry later', RETRY_AFTER_INTERNAL_S);
  };
}
