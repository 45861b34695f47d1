import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, chown, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { constants, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

/** A throwaway PostgreSQL cluster in a temp directory, reachable only through its Unix socket. */
export interface PostgresServer {
  /** The socket directory: pg's `host` for a Unix socket. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `postgresql://bench@/postgres?host=/tmp/pg-peer-xxxx&port=5432` */
  readonly connectionString: string;
  readonly dataDir: string;
  /** `postgres --version`, e.g. `postgres (PostgreSQL) 15.8`. */
  readonly version: string;
  /** Fast shutdown, then the temp directory is removed. Safe to call twice. */
  stop(): Promise<void>;
}

export type PostgresStart = PostgresServer | { readonly skipped: string };

export interface StartPostgresOptions {
  /** Directory holding `initdb` and `postgres`; default: $PG_BIN_DIR, PATH, /usr/lib/postgresql/<newest>/bin. */
  readonly binDir?: string;
  readonly port?: number;
  /** Extra `-c name=value` server settings, over the defaults below. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Give up waiting for the server after this long (default 30 s). */
  readonly startTimeoutMs?: number;
  /**
   * Where the cluster's temp directory goes (default `os.tmpdir()`). Under root it must be reachable
   * by the server's user, which a private TMPDIR such as /root/tmp is not.
   */
  readonly baseDir?: string;
}

/**
 * Durability stays on (fsync, synchronous_commit): the peer's ingest rate is "until durable", like the
 * engine's. The rest is what one would tune for a bulk-loading analytics box: larger WAL between
 * checkpoints, memory for sorts and hashes, and no JIT (dashboard queries pay its compile time).
 */
const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: '',
  shared_buffers: '256MB',
  work_mem: '64MB',
  maintenance_work_mem: '256MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
  jit: 'off',
  max_parallel_workers_per_gather: '2',
  logging_collector: 'off',
  log_min_messages: 'warning',
};

const DB_USER = 'bench';
const DB_NAME = 'postgres';
const LOG_LINES = 50;

/**
 * Starts a private PostgreSQL server: `initdb` into a new temp directory, then `postgres` with
 * `listen_addresses=''` and its socket in that directory, so nothing listens on the network and
 * nothing collides with another server. PostgreSQL refuses to run as root; under root the cluster
 * belongs to the `postgres` system user (else `nobody`), and both processes run with its uid.
 * Returns `{ skipped }` with the reason when the binaries or a usable user are missing; throws when
 * they exist but the server fails (its log in the message).
 *
 * @example
 * const server = await startPostgres();
 * if ('skipped' in server) console.warn(server.skipped);
 * else { const client = new pg.Client({ connectionString: server.connectionString }); ...; await server.stop(); }
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresStart> {
  const binDir = await findBinDir(options.binDir);
  if (binDir === null) {
    return {
      skipped:
        'PostgreSQL peer skipped: no directory with both `initdb` and `postgres` found ' +
        '(looked at $PG_BIN_DIR, PATH and /usr/lib/postgresql/*/bin); install PostgreSQL or set PG_BIN_DIR',
    };
  }
  const owner = await serverOwner();
  if ('skipped' in owner) return owner;

  const version = (await execFileAsync(join(binDir, 'postgres'), ['--version'])).stdout.trim();
  const root = await mkdtemp(join(options.baseDir ?? tmpdir(), 'pg-peer-'));
  const dataDir = join(root, 'data');
  const port = options.port ?? 5432;
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (owner.uid !== undefined) await chown(root, owner.uid, owner.gid!);
    const spawnAs = { uid: owner.uid, gid: owner.gid, cwd: root, env: { ...serverEnv(), HOME: root } };
    await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', DB_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      spawnAs,
    );

    const settings = { ...DEFAULT_SETTINGS, ...options.settings, unix_socket_directories: root, port: String(port) };
    const args = ['-D', dataDir];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    const log: string[] = [];
    const server = spawn(join(binDir, 'postgres'), args, { ...spawnAs, stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    // A benchmark that dies must not leave a postgres behind.
    process.once('exit', killOnExit);
    const remember = (data: Buffer): void => {
      log.push(...data.toString('utf8').split('\n').filter(Boolean));
      if (log.length > LOG_LINES) log.splice(0, log.length - LOG_LINES);
    };
    server.stdout!.on('data', remember);
    server.stderr!.on('data', remember);
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));

    await waitUntilAccepting(root, port, exited, options.startTimeoutMs ?? 30_000, log);

    let stopped = false;
    return {
      host: root,
      port,
      user: DB_USER,
      database: DB_NAME,
      connectionString: `postgresql://${DB_USER}@/${DB_NAME}?host=${encodeURIComponent(root)}&port=${port}`,
      dataDir,
      version,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (server.exitCode === null && server.signalCode === null) {
          server.kill('SIGINT'); // fast shutdown: abort sessions, checkpoint, exit
          const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        process.removeListener('exit', killOnExit);
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** The uid/gid to run as: none needed unless we are root. */
async function serverOwner(): Promise<{ uid?: number; gid?: number } | { skipped: string }> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number((await execFileAsync('id', ['-u', name])).stdout.trim());
      const gid = Number((await execFileAsync('id', ['-g', name])).stdout.trim());
      if (Number.isInteger(uid) && uid > 0 && Number.isInteger(gid)) return { uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  return {
    skipped:
      'PostgreSQL peer skipped: running as root and neither a `postgres` nor a `nobody` user exists ' +
      '(PostgreSQL refuses to run as root); create one, e.g. `useradd --system postgres`',
  };
}

async function findBinDir(explicit: string | undefined): Promise<string | null> {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  else {
    if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      // /usr/local/bin/postgres is often a symlink: initdb must come from the same installation.
      const resolved = await realpath(join(dir, 'postgres')).catch(() => null);
      if (resolved) candidates.push(dirname(resolved));
    }
    const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
    versions.sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join('/usr/lib/postgresql', v, 'bin'));
    candidates.push('/usr/local/pgsql/bin');
  }
  for (const dir of candidates) {
    if ((await isExecutable(join(dir, 'postgres'))) && (await isExecutable(join(dir, 'initdb')))) return dir;
  }
  return null;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

function run(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number; cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}

async function waitUntilAccepting(
  host: string,
  port: number,
  exited: Promise<number | null>,
  timeoutMs: number,
  log: string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`postgres exited (code ${exitCode}) before accepting connections:\n${log.join('\n')}`);
    }
    const client = new pg.Client({ host, port, user: DB_USER, database: DB_NAME });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${log.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
