import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ApiTokens } from '../auth/tokens.ts';

/** The secrets of one deployment: API tokens and the key of the user/license pseudonyms. */
export interface Credentials extends ApiTokens {
  readonly hashSecret: string;
}

/** Where each value came from; `generated` values are new on this start and are shown once. */
export interface LoadedCredentials {
  readonly credentials: Credentials;
  /** Names of the values generated on this start (empty on every later start). */
  readonly generated: ReadonlyArray<keyof Credentials>;
  /** The file the generated or earlier-generated values live in. */
  readonly file: string;
  /** Warnings for the operator (e.g. an environment secret that differs from the stored one). */
  readonly warnings: readonly string[];
}

/** Values supplied by the environment; each overrides the stored one. */
export interface CredentialOverrides {
  readonly admin?: string;
  readonly viewer?: string;
  readonly ingest?: readonly string[];
  readonly hashSecret?: string;
}

interface StoredCredentials {
  adminToken?: string;
  viewerToken?: string;
  ingestKeys?: string[];
  hashSecret?: string;
  createdAt?: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

const newToken = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;

/**
 * Reads `<dataDir>/credentials.json`, fills in what neither it nor the environment supplies by
 * generating it, and writes the file back (mode 0600, atomically) when something was generated.
 * The hash secret is never regenerated once stored: a new one would orphan every pseudonym, so
 * erasure by id would silently stop finding old events.
 *
 * @example
 * const { credentials, generated } = await loadOrCreateCredentials('./data', { admin: process.env.TELEMETRY_ADMIN_TOKEN });
 * if (generated.length) printCredentials(credentials, generated);
 */
export async function loadOrCreateCredentials(dataDir: string, overrides: CredentialOverrides = {}): Promise<LoadedCredentials> {
  const file = join(dataDir, CREDENTIALS_FILE);
  const warnings: string[] = [];
  const stored = await readStored(file, warnings);
  const generated: Array<keyof Credentials> = [];
  const next: StoredCredentials = { ...stored };

  const pick = <K extends keyof StoredCredentials>(key: K, override: StoredCredentials[K] | undefined, make: () => NonNullable<StoredCredentials[K]>, name: keyof Credentials): NonNullable<StoredCredentials[K]> => {
    if (override !== undefined) return override as NonNullable<StoredCredentials[K]>;
    const have = stored[key];
    if (have !== undefined && (!Array.isArray(have) || have.length > 0)) return have as NonNullable<StoredCredentials[K]>;
    const made = make();
    next[key] = made;
    generated.push(name);
    return made;
  };

  const admin = pick('adminToken', overrides.admin, () => newToken('tadm'), 'admin');
  const viewer = pick('viewerToken', overrides.viewer, () => newToken('tview'), 'viewer');
  const ingest = pick('ingestKeys', overrides.ingest && overrides.ingest.length > 0 ? [...overrides.ingest] : undefined, () => [newToken('ting')], 'ingest');
  const hashSecret = pick('hashSecret', overrides.hashSecret, () => randomBytes(32).toString('hex'), 'hashSecret');
  if (overrides.hashSecret !== undefined && stored.hashSecret !== undefined && stored.hashSecret !== overrides.hashSecret) {
    warnings.push(
      `TELEMETRY_HASH_SECRET differs from the secret stored in ${file}: pseudonyms of events stored with the old secret no longer match new ones, and erasure by id will not find them`,
    );
  }

  if (generated.length > 0) {
    next.createdAt ??= new Date().toISOString();
    await writeSecretFile(file, JSON.stringify(next, null, 2) + '\n');
  } else if (stored !== EMPTY) {
    await tightenMode(file, warnings);
  }
  return { credentials: { admin, viewer, ingest, hashSecret }, generated, file, warnings };
}

const EMPTY: StoredCredentials = Object.freeze({});

async function readStored(file: string, warnings: string[]): Promise<StoredCredentials> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Never overwrite a damaged secret file: the hash secret in it may be the only copy.
    throw new Error(`${file} is not valid JSON; fix or remove it (removing it changes the hash secret)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} must hold a JSON object`);
  const p = parsed as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof p[k] === 'string' && (p[k] as string).length > 0 ? (p[k] as string) : undefined);
  const keys = Array.isArray(p.ingestKeys) ? p.ingestKeys.filter((k): k is string => typeof k === 'string' && k.length > 0) : undefined;
  if (keys === undefined && p.ingestKeys !== undefined) warnings.push(`${file}: ingestKeys is not a list of strings; ignored`);
  return { adminToken: str('adminToken'), viewerToken: str('viewerToken'), ingestKeys: keys, hashSecret: str('hashSecret'), createdAt: str('createdAt') };
}

/** Writes `text` to `file` with mode 0600 via a synced temporary file and a rename. */
async function writeSecretFile(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.chmod(0o600); // in case the file pre-existed with a wider mode
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function tightenMode(file: string, warnings: string[]): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    warnings.push(`${file} was readable by others (mode ${mode.toString(8)}); changed to 600`);
  }
}

/** The operator-facing text shown once, on the start that generated credentials. */
export function formatGeneratedCredentials(loaded: LoadedCredentials): string {
  const c = loaded.credentials;
  const lines = [
    '',
    '==================== telemetry API credentials (shown once) ====================',
    `Generated on this start and stored in ${loaded.file} (mode 600).`,
  ];
  if (loaded.generated.includes('admin')) lines.push(`  admin token:   ${c.admin}`);
  if (loaded.generated.includes('viewer')) lines.push(`  viewer token:  ${c.viewer}`);
  if (loaded.generated.includes('ingest')) lines.push(`  ingest key:    ${c.ingest.join(', ')}`);
  if (loaded.generated.includes('hashSecret')) lines.push('  hash secret:   generated (kept in the file; back it up with the data)');
  lines.push('Use them as "Authorization: Bearer <token>".', '=================================================================================', '');
  return lines.join('\n');
}
