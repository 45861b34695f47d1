/**
 * The HTTP ingest server of bench.md, run as its own process (forked by stages/http-ingest.ts) so
 * that its RSS is the server's alone, as when a user runs `npm start`: `startServer` over a fresh
 * data directory, here with the benchmark's pinned clock and tokens, no retention scheduler, and
 * the engine's log lines kept (not printed) to split the loader's time.
 *
 * It says `ready` (with its URL) once telemetry is on, then answers the parent's requests in
 * order: `flush` (every acknowledged event loaded: Parquet + aggregates), `status` (stored events,
 * the load log, its own heap figures) and `close` (graceful stop, then exit).
 */
import { readEnvConfig, startServer, type RunningServer } from '@telemetry/api';
import { LoadLog } from '../load-log.ts';
import type { ServerConfig, ServerMessage, ServerRequest } from './protocol.ts';

const MB = 1024 * 1024;

function send(message: ServerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

/** Peaks of the main thread's heap and external memory, sampled every 100 ms. */
function startMemorySampler(): () => { heapTotalPeakMb: number; externalPeakMb: number; arrayBuffersPeakMb: number } {
  let heapTotal = 0;
  let external = 0;
  let arrayBuffers = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    heapTotal = Math.max(heapTotal, m.heapTotal);
    external = Math.max(external, m.external);
    arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, 100);
  timer.unref();
  return () => {
    sample();
    return { heapTotalPeakMb: heapTotal / MB, externalPeakMb: external / MB, arrayBuffersPeakMb: arrayBuffers / MB };
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as ServerConfig;
  const loadLog = new LoadLog();
  const memory = startMemorySampler();
  // As `npm start` does: TELEMETRY_MEMORY_LIMIT, when set, overrides the server's default.
  const { memoryLimit } = readEnvConfig(process.env);
  const server: RunningServer = await startServer({
    dataDir: config.dataDir,
    engineOptions: memoryLimit ? { memoryLimit } : undefined,
    tokens: config.tokens,
    clock: () => config.clockMs,
    // Not to the terminal (a line per request would measure the terminal).
    logger: loadLog.logger,
    retentionScheduler: false,
  });
  await server.engine.updateSettings({ enabled: true, storageDurationDays: config.storageDurationDays }, 'admin');

  // One request at a time, in the order they came.
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (request: ServerRequest) => {
    queue = queue.then(async () => {
      try {
        if (request.type === 'flush') {
          await server.engine.flush();
          await send({ type: 'flushed' });
        } else if (request.type === 'status') {
          const storedEvents = (await server.engine.storageStatus()).totalEvents;
          await send({
            type: 'status',
            storedEvents,
            load: {
              loads: loadLog.loads,
              loadedEvents: loadLog.loadedEvents,
              busyMs: loadLog.busyMs,
              stepMs: [...loadLog.stepMs],
              errors: loadLog.errors,
              warnings: loadLog.warnings,
            },
            memory: memory(),
          });
        } else if (request.type === 'close') {
          await server.close();
          await send({ type: 'closed' });
          process.disconnect?.();
        }
      } catch (err) {
        await send({ type: 'failed', error: describe(err) });
      }
    });
  });
  // The parent going away (it crashed, or killed the run) ends the server too.
  process.once('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
  await send({ type: 'ready', url: server.url, pid: process.pid });
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

main().catch(async (err: unknown) => {
  await send({ type: 'failed', error: describe(err) });
  process.disconnect?.();
  process.exitCode = 1;
});
