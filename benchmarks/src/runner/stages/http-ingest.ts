import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@telemetry/api';
import { ProgressReporter, startRssSampler } from '../../stats.ts';
import { REPO_ROOT } from '../describe-error.ts';
import type { ClientConfig, ClientMessage, ClientResult } from '../http/protocol.ts';
import { LoadLog } from '../load-log.ts';
import type { Stage } from '../run-state.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('../http/ingest-client-child.ts', import.meta.url));

/**
 * `ingest.http.eventsPerSec`: the real server (startServer over a fresh data directory) in this
 * process, a client in a child process posting the fleet's NDJSON as pre-serialized JSON bodies of
 * 5,000 events over 4 keep-alive connections. The clock runs from the client's first request until
 * every body is acknowledged AND the server's engine has loaded it (flush: in Parquet and the
 * aggregates). `http.serverPeakRssMb`: this process's peak RSS over that time.
 */
export const httpIngestStage: Stage = {
  name: 'http-ingest',
  blockedBy: (state) => (state.ndjsonPath ? null : 'needs the NDJSON of fleet-file'),
  async run({ state, put, note, problem, log }) {
    const ingestKey = `bench-ingest-${randomBytes(12).toString('hex')}`;
    const rssAtStart = process.memoryUsage().rss / (1024 * 1024);
    const loadLog = new LoadLog();
    const server = await startServer({
      dataDir: join(state.tmpDir, 'http'),
      tokens: { admin: `bench-admin-${randomBytes(12).toString('hex')}`, viewer: `bench-viewer-${randomBytes(12).toString('hex')}`, ingest: [ingestKey] },
      clock: () => state.clockMs,
      // Not to the terminal (a line per request would measure the terminal); the engine's load lines
      // are kept to split the time, as in the library stage.
      logger: loadLog.logger,
      retentionScheduler: false,
    });
    state.cleanups.push(() => server.close());
    await server.engine.updateSettings({ enabled: true, storageDurationDays: state.options.storageDurationDays }, 'admin');

    const config: ClientConfig = {
      url: server.url,
      ingestKey,
      ndjsonPath: state.ndjsonPath!,
      batchSize: state.options.httpBatchSize,
      connections: state.options.httpConnections,
    };
    const child = spawnClient(config);
    state.cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const messages = clientMessages(child);

    const ready = await messages.next('ready');
    put('http.clientPrepareSec', ready.prepareMs / 1000);
    put('http.requestBytesPerEvent', ready.bytes / ready.events);

    const sampler = startRssSampler();
    const progress = new ProgressReporter({ label: 'HTTP ingest', total: ready.events, write: log, intervalMs: 2000 });
    messages.onProgress = (events) => progress.update(events);
    const started = performance.now();
    child.send({ type: 'go' });
    const result: ClientResult = (await messages.next('done')).result;
    const ackMs = performance.now() - started;
    progress.finish(result.events);
    await server.engine.flush();
    const totalMs = performance.now() - started;
    const rss = sampler.stop();

    put('ingest.http.eventsPerSec', (result.events * 1000) / totalMs);
    put('ingest.http.ackEventsPerSec', (result.events * 1000) / ackMs);
    put('ingest.http.seconds', totalMs / 1000);
    put('ingest.http.flushWaitSec', (totalMs - ackMs) / 1000);
    put('ingest.http.requests', result.requests);
    put('ingest.http.accepted', result.accepted);
    put('ingest.http.retries', result.retries);
    put('ingest.http.latencyP50Ms', result.latencyP50Ms);
    put('ingest.http.latencyP95Ms', result.latencyP95Ms);
    put('ingest.http.latencyP99Ms', result.latencyP99Ms);
    put('http.serverPeakRssMb', rss.peakMb);
    put('http.serverRssAtStartMb', rssAtStart);
    // The process ran the engine stages and the baseline before: what it held then is in the peak too.
    put('http.serverRssGrowthMb', rss.peakMb - rssAtStart);
    put('http.clientPeakRssMb', result.peakRssMb);
    loadLog.report('ingest.http', put);
    for (const e of loadLog.errors) problem('server logged an error', new Error(e));

    const stored = (await server.engine.storageStatus()).totalEvents;
    put('ingest.http.storedEvents', stored);
    if (state.library && stored !== state.library.storedEvents) {
      problem('http-ingest', `stored ${stored} events over HTTP but ${state.library.storedEvents} through the library: the same fleet should store the same events`);
    }
    if (rss.peakMb > 1024) note(`HTTP ingest: server peak RSS ${rss.peakMb.toFixed(0)} MB is over the 1 GiB goal`);
    await server.close();
  },
};

/** Forks the client under tsx (the child is TypeScript), from the repository root. */
function spawnClient(config: ClientConfig): ChildProcess {
  return fork(CLIENT_SCRIPT, [JSON.stringify(config)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', '--max-semi-space-size=64'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The child's messages as awaitable steps; a crash or a `failed` message rejects the pending step. */
function clientMessages(child: ChildProcess) {
  const queue: ClientMessage[] = [];
  let waiter: { resolve: (m: ClientMessage) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const api = {
    onProgress: (_events: number): void => {},
    async next<T extends ClientMessage['type']>(type: T): Promise<Extract<ClientMessage, { type: T }>> {
      for (;;) {
        let message = queue.shift();
        if (!message) {
          if (failure) throw failure;
          message = await new Promise<ClientMessage>((resolve, reject) => (waiter = { resolve, reject }));
        }
        if (message.type === 'failed') throw new Error(`HTTP client failed: ${message.error}`);
        if (message.type === type) return message as Extract<ClientMessage, { type: T }>;
      }
    },
  };
  child.on('message', (m: ClientMessage) => {
    if (m.type === 'progress') return api.onProgress(m.events);
    if (waiter) {
      const w = waiter;
      waiter = null;
      w.resolve(m);
    } else queue.push(m);
  });
  // 'close' (not 'exit'): it comes after the IPC channel has delivered every message.
  child.once('close', (code, signal) => {
    failure = new Error(`HTTP client exited (${signal ?? `code ${code}`}) before finishing`);
    if (waiter) {
      const w = waiter;
      waiter = null;
      w.reject(failure);
    }
  });
  return api;
}
