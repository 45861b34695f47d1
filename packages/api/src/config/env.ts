import type { CredentialOverrides } from './credentials.ts';

/** The server's configuration as read from the environment (ingest.md, "Configuration"). */
export interface EnvConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** DuckDB's memory limit for the server's engine (`TELEMETRY_MEMORY_LIMIT`); undefined: the server's default. */
  readonly memoryLimit: string | undefined;
  readonly credentialOverrides: CredentialOverrides;
}

/** A size DuckDB's `memory_limit` accepts: a number and a unit, e.g. `512MB`, `1.5GB`, `768MiB`. */
const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * Reads PORT, HOST, TELEMETRY_DATA_DIR, TELEMETRY_MEMORY_LIMIT and the token variables. Throws
 * naming the variable when one is malformed, so a typo does not start a server on an unexpected
 * port (or with an unbounded engine).
 */
export function readEnvConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const portText = env.PORT?.trim() || '4000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new Error(`PORT must be a whole number from 0 to 65535; got ${JSON.stringify(env.PORT)}`);
  const nonEmpty = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const ingestKeys = nonEmpty('TELEMETRY_INGEST_KEYS')
    ?.split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  const memoryLimit = nonEmpty('TELEMETRY_MEMORY_LIMIT');
  if (memoryLimit !== undefined && !MEMORY_LIMIT.test(memoryLimit)) {
    throw new Error(`TELEMETRY_MEMORY_LIMIT must be a size such as 512MB or 1GB; got ${JSON.stringify(env.TELEMETRY_MEMORY_LIMIT)}`);
  }
  return {
    port,
    host: nonEmpty('HOST') ?? '127.0.0.1',
    dataDir: nonEmpty('TELEMETRY_DATA_DIR') ?? './data',
    memoryLimit,
    credentialOverrides: {
      admin: nonEmpty('TELEMETRY_ADMIN_TOKEN'),
      viewer: nonEmpty('TELEMETRY_VIEWER_TOKEN'),
      ingest: ingestKeys && ingestKeys.length > 0 ? ingestKeys : undefined,
      hashSecret: nonEmpty('TELEMETRY_HASH_SECRET'),
    },
  };
}
