import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelemetryEngine, type EngineOptions, type TelemetryEngineApi } from '@telemetry/engine';
import { MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '@telemetry/schema';
import { dashboardDistDir, isDashboardBuilt } from '@telemetry/dashboard';
import { TokenVerifier, type ApiTokens } from './auth/tokens.ts';
import { createApolloServer } from './graphql/apollo.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './graphql/limits.ts';
import { telemetrySchema } from './graphql/schema.ts';
import { createApp, type HttpLimits } from './http/app.ts';
import { RequestGate } from './http/request-gate.ts';
import { WorkTracker } from './http/work-tracker.ts';
import { createJsonLogger, describeError, type Logger } from './log/logger.ts';
import { withFields } from './log/with-fields.ts';
import { RetentionScheduler, type RetentionSchedulerOptions } from './scheduler/retention-scheduler.ts';

export interface ServerLimits extends HttpLimits {
  readonly query: QueryLimits;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxEventsPerBatch: MAX_EVENTS_PER_BATCH,
  maxBatchBytes: MAX_BATCH_BYTES,
  maxInFlightIngest: 64,
  maxGraphqlBodyBytes: 256 * 1024,
  query: DEFAULT_QUERY_LIMITS,
};

/**
 * DuckDB's memory limit of an engine the server opens itself (`engineOptions.memoryLimit`, or
 * `TELEMETRY_MEMORY_LIMIT` for `npm start`, overrides it); the engine's own default is 768MB. The
 * server's whole process has to fit in 1 GiB while ingesting at full rate, and only part of it is
 * DuckDB: the HTTP thread, two encoder workers, the loader's fingerprints and the allocators took
 * 550-700 MB beside it on the 10M benchmark, whose peak RSS was about this limit + 600 MB. The
 * loader spills to `<dataDir>/tmp` beyond the limit: at 256MB the HTTP ingest rate was 12-15%
 * lower than at 768MB (paired runs, 3M events), for a peak RSS of 790-880 MB instead of 1.2-1.3 GB.
 */
export const DEFAULT_SERVER_MEMORY_LIMIT = '256MB';

/**
 * DuckDB allocator settings of an engine the server opens itself (`engineOptions.duckdbSettings`
 * adds to or overrides them). DuckDB's jemalloc otherwise keeps freed pages for a while: after a
 * load, RSS stayed 70-150 MB above what DuckDB itself reported in use. A task that peaked above
 * 16 MB returns its memory when it ends, and a background thread purges the rest.
 */
export const SERVER_DUCKDB_SETTINGS: Readonly<Record<string, string>> = {
  allocator_flush_threshold: '16MB',
  allocator_background_threads: 'true',
};

export interface StartServerOptions {
  /** An open engine (the caller keeps owning it: close() leaves it open)... */
  readonly engine?: TelemetryEngineApi;
  /** ...or a data directory for an engine the server opens and closes itself. */
  readonly dataDir?: string;
  /** The pseudonym key for an engine opened from `dataDir`. */
  readonly hashSecret?: string;
  /**
   * More options for an engine opened from `dataDir`; `memoryLimit` defaults to
   * DEFAULT_SERVER_MEMORY_LIMIT and `duckdbSettings` to SERVER_DUCKDB_SETTINGS (merged).
   */
  readonly engineOptions?: Omit<EngineOptions, 'dataDir' | 'hashSecret' | 'clock' | 'logger'>;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly tokens: ApiTokens;
  /** Milliseconds since epoch, for the engine it opens, the retention schedule and export expiry. */
  readonly clock?: () => number;
  /** Default: JSON lines on stdout. */
  readonly logger?: Logger;
  readonly limits?: Partial<Omit<ServerLimits, 'query'>> & { readonly query?: Partial<QueryLimits> };
  /** The daily retention job; default on. */
  readonly retentionScheduler?: boolean | Omit<RetentionSchedulerOptions, 'engine' | 'clock' | 'logger'>;
  /** How long shutdown waits for in-flight requests before cutting connections. Default 25 s. */
  readonly shutdownTimeoutMs?: number;
  /** Serve the dashboard (`@telemetry/dashboard`'s build) at `/`. Default true. */
  readonly dashboard?: boolean;
}

export interface RunningServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly engine: TelemetryEngineApi;
  readonly scheduler: RetentionScheduler | null;
  /**
   * Graceful stop: refuse new requests, finish those in flight, stop the scheduler, and close the
   * engine if the server opened it (which loads everything acknowledged). Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the telemetry API over an engine (given, or opened on `dataDir`).
 *
 * @example
 * const server = await startServer({ dataDir: './data', tokens: { admin: 'a…', viewer: 'v…', ingest: ['k…'] } });
 * console.log(`listening on ${server.url}`);
 * process.once('SIGTERM', () => void server.close());
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (!options.engine === !options.dataDir) throw new Error('startServer needs exactly one of engine and dataDir');
  const logger = options.logger ?? createJsonLogger();
  const clock = options.clock ?? Date.now;
  const limits: ServerLimits = {
    ...DEFAULT_SERVER_LIMITS,
    ...options.limits,
    query: { ...DEFAULT_QUERY_LIMITS, ...options.limits?.query },
  };
  const verifier = new TokenVerifier(options.tokens);
  const ownsEngine = !options.engine;
  const engine: TelemetryEngineApi =
    options.engine ??
    (await TelemetryEngine.open({
      ...options.engineOptions,
      memoryLimit: options.engineOptions?.memoryLimit ?? DEFAULT_SERVER_MEMORY_LIMIT,
      duckdbSettings: { ...SERVER_DUCKDB_SETTINGS, ...options.engineOptions?.duckdbSettings },
      dataDir: options.dataDir!,
      hashSecret: options.hashSecret,
      clock,
      logger: withFields(logger, { component: 'engine' }),
    }));

  let httpServer: Server | null = null;
  try {
    const schema = await telemetrySchema();
    const apollo = createApolloServer(schema, withFields(logger, { component: 'graphql' }), limits.query);
    await apollo.start();
    const gate = new RequestGate();
    const work = new WorkTracker();
    const dashboard = options.dashboard === false ? null : { distDir: dashboardDistDir, built: isDashboardBuilt() };
    const app = createApp({ engine, apollo, verifier, logger, clock, limits, work, gate, dashboard });
    httpServer = createServer(app);
    const server = httpServer;
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
    const address = server.address() as AddressInfo;
    const host = address.address;
    const url = `http://${address.family === 'IPv6' ? `[${host}]` : host}:${address.port}`;

    const scheduler =
      options.retentionScheduler === false
        ? null
        : new RetentionScheduler({
            ...(typeof options.retentionScheduler === 'object' ? options.retentionScheduler : {}),
            engine,
            clock,
            logger: withFields(logger, { component: 'retention' }),
          });
    void scheduler?.start();

    let closed: Promise<void> | null = null;
    const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 25_000;
    const close = (): Promise<void> => {
      closed ??= (async () => {
        logger.info('shutting down', { inFlight: gate.inFlight });
        const answered = gate.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timedOut = await settleWithin(Promise.all([answered, work.drain()]), shutdownTimeoutMs);
        if (timedOut) logger.warn('shutdown timeout: cutting remaining connections', { timeoutMs: shutdownTimeoutMs });
        // Every answer is out: what is left are idle keep-alive connections.
        server.closeAllConnections();
        await stopped;
        await scheduler?.stop();
        await apollo.stop();
        if (ownsEngine) await engine.close();
        logger.info('stopped');
      })();
      return closed;
    };
    logger.info('listening', { url, pid: process.pid, dataDir: options.dataDir ?? null });
    return { url, port: address.port, host, engine, scheduler, close };
  } catch (err) {
    httpServer?.close();
    if (ownsEngine) await engine.close().catch((e) => logger.error('closing the engine after a failed start failed', describeError(e)));
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Waits for `p` at most `ms`; true when the time ran out first. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    return await Promise.race([p.then(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
