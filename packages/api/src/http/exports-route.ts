import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { ExportFormat } from '@telemetry/schema';
import type { TelemetryEngineApi } from '@telemetry/engine';
import type { TokenVerifier } from '../auth/tokens.ts';
import { clientMessage, isCodedError, mappingOf } from '../errors/error-map.ts';
import { describeError, type Logger } from '../log/logger.ts';
import { authenticate } from './authenticate.ts';
import { sendRestError } from './rest-error.ts';

export interface ExportsRouteOptions {
  readonly engine: TelemetryEngineApi;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** Milliseconds since epoch, for the expiry check. */
  readonly clock: () => number;
}

/** Media type and file extension per export format. */
export const EXPORT_MEDIA: Readonly<Record<ExportFormat, { readonly contentType: string; readonly extension: string }>> = {
  PARQUET: { contentType: 'application/vnd.apache.parquet', extension: 'parquet' },
  CSV: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  NDJSON: { contentType: 'application/x-ndjson', extension: 'ndjson' },
  ARROW: { contentType: 'application/vnd.apache.arrow.stream', extension: 'arrows' },
};

/** Export ids are opaque to us, but never need more than this; anything else is not one of ours. */
const EXPORT_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `GET /exports/:id` with the admin or viewer token: streams the finished export file
 * (ingest.md, "Other HTTP"); 404 when the id is unknown or the export has expired.
 */
export function exportsRouter({ engine, verifier, logger, clock }: ExportsRouteOptions): Router {
  const router = Router();
  const notFound = (res: Parameters<typeof sendRestError>[0]): void => sendRestError(res, 404, 'not_found', 'no such export, or it has expired');
  router.get(
    '/exports/:id',
    authenticate(verifier, ['admin', 'viewer'], (res) => sendRestError(res, 401, 'unauthenticated', 'the admin or viewer token is required: Authorization: Bearer <token>')),
    async (req, res) => {
      const id = req.params.id as string;
      if (!EXPORT_ID_RE.test(id)) return notFound(res);
      let info;
      try {
        info = await engine.getExport(id);
      } catch (err) {
        if (!isCodedError(err) || mappingOf(err).httpStatus >= 500) logger.error('export lookup failed', describeError(err));
        const m = mappingOf(err);
        return sendRestError(res, m.httpStatus, m.restCode, clientMessage(err));
      }
      if (!info || Date.parse(info.expiresAt) <= clock()) return notFound(res);
      let size: number;
      try {
        size = (await stat(info.path)).size;
      } catch {
        return notFound(res); // removed by expiry between the lookup and now
      }
      const media = EXPORT_MEDIA[info.format] ?? { contentType: 'application/octet-stream', extension: 'bin' };
      res.status(200);
      res.setHeader('Content-Type', media.contentType);
      res.setHeader('Content-Length', String(size));
      res.setHeader('Content-Disposition', `attachment; filename="telemetry-${info.dataset.toLowerCase()}-${id}.${media.extension}"`);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (req.method === 'HEAD') return void res.end();
      try {
        await pipeline(createReadStream(info.path), res);
      } catch (err) {
        // The client went away, or the file vanished mid-stream: the connection is already cut.
        if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn('export stream ended early', describeError(err));
      }
    },
  );
  return router;
}
