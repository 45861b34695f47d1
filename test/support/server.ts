import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createIngestClient,
  createTelemetryClient,
  silentLogger,
  startServer,
  type IngestClient,
  type Logger,
  type RunningServer,
  type StartServerOptions,
  type TelemetryClient,
} from '@telemetry/api';

export const TOKENS = {
  admin: 'test-admin-token-0123456789abcdef',
  viewer: 'test-viewer-token-0123456789abcdef',
  ingest: ['test-ingest-key-0123456789abcdef', 'test-ingest-key-second-0123456789'],
} as const;

/** A mutable clock the server, engine and scheduler all read. */
export class TestClock {
  constructor(public nowMs: number) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly admin: TelemetryClient;
  readonly viewer: TelemetryClient;
  readonly ingest: IngestClient;
  readonly logLines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A logger that keeps JSON lines in memory, for assertions on the request log. */
export function memoryLogger(lines: Array<Record<string, unknown>>): Logger {
  const keep = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.parse(JSON.stringify({ level, msg, ...fields })) as Record<string, unknown>);
  };
  return { info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/**
 * Starts the real server in-process over a fresh temp data directory (the real engine inside),
 * on a random port of 127.0.0.1.
 */
export async function startTestServer(options: Partial<Omit<StartServerOptions, 'tokens'>> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'telemetry-api-')));
  const logLines: Array<Record<string, unknown>> = [];
  const server = await startServer({
    retentionScheduler: false,
    logger: process.env.TEST_SERVER_LOG ? undefined : memoryLogger(logLines),
    ...options,
    ...(options.engine ? {} : { dataDir }),
    tokens: { ...TOKENS, ingest: [...TOKENS.ingest] },
  });
  return {
    server,
    url: server.url,
    dataDir,
    admin: createTelemetryClient(server.url, TOKENS.admin),
    viewer: createTelemetryClient(server.url, TOKENS.viewer),
    ingest: createIngestClient(server.url, TOKENS.ingest[0]),
    logLines,
    async stop() {
      await server.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { silentLogger };
