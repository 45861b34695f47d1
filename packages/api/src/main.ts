/**
 * The telemetry server CLI (`npm start`): configuration from the environment (ingest.md,
 * "Configuration"), credentials generated on first start and shown once, graceful shutdown on
 * SIGTERM/SIGINT (exit 0 after the engine has flushed).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatGeneratedCredentials, loadOrCreateCredentials } from './config/credentials.ts';
import { readEnvConfig } from './config/env.ts';
import { createJsonLogger, describeError } from './log/logger.ts';
import { startServer } from './server.ts';

/** A repeat of the stop signal within this time is the same request, relayed by a wrapper. */
const REPEATED_SIGNAL_GRACE_MS = 2000;

async function main(): Promise<void> {
  const logger = createJsonLogger();
  const config = readEnvConfig(process.env);
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const loaded = await loadOrCreateCredentials(dataDir, config.credentialOverrides);
  for (const warning of loaded.warnings) logger.warn(warning);
  if (loaded.generated.length > 0) {
    // Shown to the operator once, on stderr, apart from the JSON log on stdout.
    process.stderr.write(formatGeneratedCredentials(loaded));
  }
  const { hashSecret, ...tokens } = loaded.credentials;
  const server = await startServer({
    dataDir,
    hashSecret,
    tokens,
    port: config.port,
    host: config.host,
    logger,
    engineOptions: config.memoryLimit ? { memoryLimit: config.memoryLimit } : undefined,
  });

  let stoppingSince: number | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== null) {
      // Wrappers (npm, tsx) may relay the same Ctrl-C or SIGTERM again at once: only a signal sent
      // well after the first means "stop now, without waiting".
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_GRACE_MS) return;
      logger.warn('second signal: exiting without waiting for requests in flight', { signal });
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info('signal received', { signal });
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', describeError(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  createJsonLogger().error('start failed', describeError(err));
  process.exit(1);
});
