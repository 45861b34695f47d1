import type { CredentialOverrides } from './credentials.ts';

/** The server's configuration as read from the environment (ingest.md, "Configuration"). */
export interface EnvConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly credentialOverrides: CredentialOverrides;
}

/**
 * Reads PORT, HOST, TELEMETRY_DATA_DIR and the token variables. Throws naming the variable when
 * one is malformed, so a typo does not start a server on an unexpected port.
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
  return {
    port,
    host: nonEmpty('HOST') ?? '127.0.0.1',
    dataDir: nonEmpty('TELEMETRY_DATA_DIR') ?? './data',
    credentialOverrides: {
      admin: nonEmpty('TELEMETRY_ADMIN_TOKEN'),
      viewer: nonEmpty('TELEMETRY_VIEWER_TOKEN'),
      ingest: ingestKeys && ingestKeys.length > 0 ? ingestKeys : undefined,
      hashSecret: nonEmpty('TELEMETRY_HASH_SECRET'),
    },
  };
}
