import type { RequestHandler } from 'express';
import type { Logger } from '../log/logger.ts';

/**
 * Facts a route adds to its request's log line through `res.locals` (never event contents,
 * tokens or ids of people).
 */
export interface RequestLogFields {
  eventsAccepted?: number;
  eventsRejected?: number;
  operation?: string | null;
  errorCode?: string;
}

const MAX_LOGGED_PATH = 200;

/**
 * Writes one JSON line per request when its response is done or the client has gone:
 * method, path (no query string), status, durationMs, and the route's own `res.locals.log`.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const method = req.method;
    const path = req.originalUrl.split('?', 1)[0].slice(0, MAX_LOGGED_PATH);
    res.locals.log = {} as RequestLogFields;
    res.once('close', () => {
      const fields: Record<string, unknown> = {
        method,
        path,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(res.locals.log as RequestLogFields),
      };
      if (!res.writableFinished) fields.aborted = true;
      logger.info('request', fields);
    });
    next();
  };
}
