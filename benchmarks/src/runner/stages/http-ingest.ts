import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressReporter, procRssMb, startChildRssSampler } from '../../stats.ts';
import { REPO_ROOT } from '../describe-error.ts';
import type { ClientConfig, ClientMessage, ClientResult, ServerConfig, ServerMessage, ServerRequest } from '../http/protocol.ts';
import { LoadLog } from '../load-log.ts';
import type { Stage } from '../run-state.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('../http/ingest-client-child.ts', import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL('../http/server-child.ts', import.meta.url));

/**
 * The server child runs as `npm start` runs the server (package.json: `MALLOC_ARENA_MAX=2
 * MALLOC_MMAP_THRESHOLD_=131072 tsx packages/api/src/main.ts`): tsx, no V8 flags, and the same
 * glibc malloc settings, so that its RSS is what a user's server needs. http-ingest.test.ts keeps
 * SERVER_ENV and the start script in step.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--import', 'tsx'];
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * `ingest.http.eventsPerSec`: the real server (startServer over a fresh data directory) in a child
 * process of its own (http/server-child.ts), a client in another child process posting the fleet's
 * NDJSON as pre-serialized JSON bodies of 5,000 events over 4 keep-alive connections. The clock runs
 * from the client's first request until every body is acknowledged AND the server's engine has
 * loaded it (a flush asked over IPC: in Parquet and the aggregates). `http.serverPeakRssMb`: the
 * server process's peak RSS over that time (its worker threads included: they share the process),
 * the larger of `/proc/<pid>/status` VmRSS sampled every 100 ms and the kernel's VmHWM.
 */
export const httpIngestStage: Stage = {
  name: 'http-ingest',
  blockedBy: (state) => (state.ndjsonPath ? null : 'needs the NDJSON of fleet-file'),
  async run({ state, put, note, problem, log }) {
    const ingestKey = `bench-ingest-${randomBytes(12).toString('hex')}`;
    const serverConfig: ServerConfig = {
      dataDir: join(state.tmpDir, 'http'),
      tokens: { admin: `bench-admin-${randomBytes(12).toString('hex')}`, viewer: `bench-viewer-${randomBytes(12).toString('hex')}`, ingest: [ingestKey] },
      clockMs: state.clockMs,
      storageDurationDays: state.options.storageDurationDays,
    };
    const serverChild = spawnServer(serverConfig);
    state.cleanups.push(() => stopChild(serverChild));
    const server = childMessages<ServerMessage>(serverChild, 'HTTP server');
    // A server that dies mid-run (a crash, the OOM killer) is reported as such, not as the client's
    // connection errors.
    let closing = false;
    const serverDied = new Promise<never>((_, reject) =>
      serverChild.once('exit', (code, signal) => {
        if (!closing) reject(new Error(`HTTP server exited (${signal ?? `code ${code}`}) during the stage`));
      }),
    );
    serverDied.catch(() => undefined);
    const { url, pid } = await server.next('ready');
    const rssAtStart = procRssMb(pid)?.rssMb ?? NaN;

    const config: ClientConfig = {
      url,
      ingestKey,
      ndjsonPath: state.ndjsonPath!,
      batchSize: state.options.httpBatchSize,
      connections: state.options.httpConnections,
    };
    const child = spawnClient(config);
    state.cleanups.push(() => stopChild(child));
    const messages = childMessages<ClientMessage>(child, 'HTTP client');

    const ready = await messages.next('ready');
    put('http.clientPrepareSec', ready.prepareMs / 1000);
    put('http.requestBytesPerEvent', ready.bytes / ready.events);

    const sampler = startChildRssSampler(pid);
    const progress = new ProgressReporter({ label: 'HTTP ingest', total: ready.events, write: log, intervalMs: 2000 });
    messages.onProgress = (m) => {
      if (m.type === 'progress') progress.update(m.events);
    };
    const started = performance.now();
    child.send({ type: 'go' });
    const result: ClientResult = (await Promise.race([messages.next('done'), serverDied])).result;
    const ackMs = performance.now() - started;
    progress.finish(result.events);
    // Until durable AND aggregated: the server's engine loads everything acknowledged.
    serverChild.send({ type: 'flush' } satisfies ServerRequest);
    await server.next('flushed');
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
    put('http.serverRssGrowthMb', rss.peakMb - rssAtStart);
    put('http.clientPeakRssMb', result.peakRssMb);
    if (process.env.BENCH_RSS_TRACE) {
      // Diagnostics: the server's RSS over the stage, about one line a second.
      let next = 0;
      for (const [t, mb] of sampler.samples) {
        if (t < next) continue;
        log(`  server RSS t=${t.toFixed(1)}s ${mb.toFixed(0)} MB`);
        next = Math.floor(t) + 1;
      }
    }

    serverChild.send({ type: 'status' } satisfies ServerRequest);
    const status = await server.next('status');
    put('http.serverHeapTotalPeakMb', status.memory.heapTotalPeakMb);
    put('http.serverExternalPeakMb', status.memory.externalPeakMb);
    const loadLog = new LoadLog();
    loadLog.loads = status.load.loads;
    loadLog.loadedEvents = status.load.loadedEvents;
    loadLog.busyMs = status.load.busyMs;
    for (const [step, ms] of status.load.stepMs) loadLog.stepMs.set(step, ms);
    loadLog.report('ingest.http', put);
    for (const e of status.load.errors) problem('server logged an error', new Error(e));

    const stored = status.storedEvents;
    put('ingest.http.storedEvents', stored);
    if (state.library && stored !== state.library.storedEvents) {
      problem('http-ingest', `stored ${stored} events over HTTP but ${state.library.storedEvents} through the library: the same fleet should store the same events`);
    }
    if (rss.peakMb > 1024) note(`HTTP ingest: server peak RSS ${rss.peakMb.toFixed(0)} MB is over the 1 GiB goal`);
    closing = true;
    serverChild.send({ type: 'close' } satisfies ServerRequest);
    await server.next('closed');
    await exited(serverChild);
  },
};

/** Forks the server the way `npm start` runs it (tsx, SERVER_EXEC_ARGV), from the repository root. */
function spawnServer(config: ServerConfig): ChildProcess {
  return fork(SERVER_SCRIPT, [JSON.stringify(config)], {
    cwd: REPO_ROOT,
    execArgv: [...SERVER_EXEC_ARGV],
    env: { ...process.env, ...SERVER_ENV },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Forks the client under tsx (the child is TypeScript), from the repository root. */
function spawnClient(config: ClientConfig): ChildProcess {
  return fork(CLIENT_SCRIPT, [JSON.stringify(config)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', '--max-semi-space-size=64'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves once the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Cleanup: a child still running after its stage (because the stage failed) is killed. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/**
 * A child's messages as awaitable steps; a crash or a `failed` message rejects the pending step.
 * `progress` messages go to `onProgress` instead.
 */
function childMessages<M extends { readonly type: string }>(child: ChildProcess, what: string) {
  const queue: M[] = [];
  let waiter: { resolve: (m: M) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const api = {
    onProgress: (_message: M): void => {},
    async next<T extends M['type']>(type: T): Promise<Extract<M, { type: T }>> {
      for (;;) {
        let message = queue.shift();
        if (!message) {
          if (failure) throw failure;
          message = await new Promise<M>((resolve, reject) => (waiter = { resolve, reject }));
        }
        if (message.type === 'failed') throw new Error(`${what} failed: ${(message as { error?: string }).error}`);
        if (message.type === type) return message as Extract<M, { type: T }>;
      }
    },
  };
  child.on('message', (m: M) => {
    if (m.type === 'progress') return api.onProgress(m);
    if (waiter) {
      const w = waiter;
      waiter = null;
      w.resolve(m);
    } else queue.push(m);
  });
  // 'close' (not 'exit'): it comes after the IPC channel has delivered every message.
  child.once('close', (code, signal) => {
    failure = new Error(`${what} exited (${signal ?? `code ${code}`}) before finishing`);
    if (waiter) {
      const w = waiter;
      waiter = null;
      w.reject(failure);
    }
  });
  return api;
}
