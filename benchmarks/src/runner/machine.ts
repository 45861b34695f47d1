import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DuckDBInstance } from '@duckdb/node-api';

/** What the machine was, for a results file: the commands' own output, verbatim. */
export interface MachineInfo {
  readonly nproc: string;
  readonly free: string;
  readonly lscpu: string;
  readonly node: string;
  readonly duckdb: string;
  readonly loadAverage: string;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5000 }).trimEnd();
  } catch (err) {
    return `(${command} failed: ${(err as Error).message.split('\n')[0]})`;
  }
}

/** `nproc`, `free -g`, `lscpu | head`, the Node and DuckDB versions, the load average. */
export async function describeMachine(): Promise<MachineInfo> {
  const require = createRequire(import.meta.url);
  let duckdb = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(require.resolve('@duckdb/node-api/package.json'), 'utf8')) as { version: string };
    duckdb = `@duckdb/node-api ${pkg.version}`;
  } catch {
    // keep 'unknown'
  }
  try {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    duckdb += ` (DuckDB ${String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0].v)})`;
    conn.closeSync();
    instance.closeSync();
  } catch {
    // the package version alone
  }
  return {
    nproc: run('nproc', []),
    free: run('free', ['-g']),
    lscpu: run('lscpu', []).split('\n').slice(0, 10).join('\n'),
    node: process.version,
    duckdb,
    loadAverage: readLoadAverage(),
  };
}

function readLoadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
