import express, { type ErrorRequestHandler, type Express } from 'express';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { TelemetryEngineApi } from '@telemetry/engine';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { ApiContext } from '../graphql/context.ts';
import { unauthenticatedBody } from '../graphql/errors.ts';
import { describeError, type Logger } from '../log/logger.ts';
import { authenticate } from './authenticate.ts';
import { dashboardRouter } from './dashboard-route.ts';
import { exportsRouter } from './exports-route.ts';
import { ingestRouter } from './ingest-route.ts';
import { requestLog, type RequestLogFields } from './request-log.ts';
import { sendRestError } from './rest-error.ts';
import type { RequestGate } from './request-gate.ts';
import type { WorkTracker } from './work-tracker.ts';

export interface HttpLimits {
  /** Events per ingest request (ingest.md: 10,000). */
  readonly maxEventsPerBatch: number;
  /** Ingest body bytes after decompression (ingest.md: 10 MiB). */
  readonly maxBatchBytes: number;
  /** Ingest requests in flight before 429. */
  readonly maxInFlightIngest: number;
  /** GraphQL request body bytes. */
  readonly maxGraphqlBodyBytes: number;
}

export interface AppDependencies {
  readonly engine: TelemetryEngineApi;
  readonly apollo: ApolloServer<ApiContext>;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly limits: HttpLimits;
  readonly work: WorkTracker;
  /** Admits requests until shutdown begins. */
  readonly gate: RequestGate;
  /** The dashboard's static files, served at `/`; null to serve none. */
  readonly dashboard: { readonly distDir: string; readonly built: boolean } | null;
}

/**
 * The HTTP surface: GET /healthz, POST /v1/events, GET /exports/:id, /graphql, and the dashboard
 * at /. Authentication runs before any body is read; every request gets one log line.
 */
export function createApp(deps: AppDependencies): Express {
  const { engine, apollo, verifier, logger, clock, limits, work, gate, dashboard } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestLog(logger));
  app.use(gate.middleware);

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  app.use(
    ingestRouter({
      engine,
      verifier,
      logger,
      maxEvents: limits.maxEventsPerBatch,
      maxBytes: limits.maxBatchBytes,
      maxInFlight: limits.maxInFlightIngest,
      work,
    }),
  );
  app.use(exportsRouter({ engine, verifier, logger, clock }));

  const graphql = expressMiddleware(apollo, {
    context: async ({ res }) => ({ engine, role: res.locals.role as ApiContext['role'], log: res.locals.log as RequestLogFields }),
  });
  app.all(
    '/graphql',
    authenticate(verifier, ['admin', 'viewer'], (res) => res.status(401).json(unauthenticatedBody())),
    express.json({ limit: limits.maxGraphqlBodyBytes }),
    (req, res, next) => work.track(Promise.resolve(graphql(req, res, next) as unknown)),
  );

  if (dashboard) app.use(dashboardRouter({ ...dashboard, logger }));

  app.use((_req, res) => sendRestError(res, 404, 'not_found', 'no such route'));
  app.use(lastResortErrors(logger));
  return app;
}

/**
 * Errors no route handled (e.g. a malformed JSON body on /graphql). Express's own handler would
 * print a stack trace outside production; this one never does.
 */
function lastResortErrors(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { status?: number; type?: string };
    const status = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    if (status === 500) logger.error('request failed', describeError(err));
    const message =
      status === 413 ? 'the request body is too large' : status === 500 ? 'internal server error' : 'the request body could not be read (malformed JSON?)';
    if (res.headersSent) return void res.destroy();
    if (req.path === '/graphql') {
      res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
    } else {
      sendRestError(res, status, status === 500 ? 'internal' : 'bad_request', message);
    }
  };
}
