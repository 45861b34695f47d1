import { mkdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Day } from '@telemetry/schema';
import { RAW_COLUMN_NAMES } from './columns.ts';
import { sqlString, type Sql } from './duck.ts';
import { fsyncDir, fsyncFile } from './fsync.ts';
import type { RawFile } from './manifest.ts';

/**
 * Rows are sorted so that a session's events sit together: event ids like `<session>-<n>`, user
 * hashes and dimensions then compress to a few bytes per event (run-length and dictionary pages).
 */
export const RAW_SORT_ORDER = 'product_id, session_id, ts, event_id';

/**
 * Writes the rows of `selectSql` (RAW_COLUMNS plus `day`) as zstd Parquet, one or more files per
 * day, durably: COPY into a staging folder, fsync, rename into `events/day=D/`, fsync the folder.
 * The files are not yet committed — the caller records them in the manifest in its transaction;
 * a crash before that leaves unlisted files that open() removes.
 */
export async function writeDayPartitions(
  sql: Sql,
  dataDir: string,
  selectSql: string,
  tag: string,
): Promise<RawFile[]> {
  const staging = join(dataDir, 'staging', tag);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(dataDir, 'staging'), { recursive: true });
  const cols = [...RAW_COLUMN_NAMES, 'day'].join(', ');
  // RETURN_STATS names every file with its row count and size: no directory listing, no footer reads.
  const written = await sql.all<{ filename: string; count: number; file_size_bytes: number }>(
    `COPY (SELECT ${cols} FROM (${selectSql}) ORDER BY day, ${RAW_SORT_ORDER})
     TO ${sqlString(staging)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), FILENAME_PATTERN ${sqlString(`${tag}_{i}`)},
       ROW_GROUP_SIZE 1000000, PARQUET_VERSION V2, RETURN_STATS true)`,
  );
  if (written.length === 0) {
    await rm(staging, { recursive: true, force: true });
    return [];
  }
  const moves = written.map((w) => {
    const m = /day=(\d{4}-\d{2}-\d{2})[\\/]([^\\/]+)$/.exec(w.filename);
    if (!m) throw new Error(`unexpected Parquet file name from COPY: ${w.filename}`);
    const day = m[1] as Day;
    const dir = join(dataDir, 'events', `day=${day}`);
    return { from: w.filename, dir, to: join(dir, m[2]), day, events: Number(w.count), bytes: Number(w.file_size_bytes) };
  });
  // A load writes a file for every day it touches (often dozens): fsync them concurrently, then
  // rename, then make the renames durable, one fsync per folder.
  await inChunks(moves, (f) => fsyncFile(f.from));
  const dirs = [...new Set(moves.map((f) => f.dir))];
  await inChunks(dirs, (d) => mkdir(d, { recursive: true }));
  await inChunks(moves, (f) => rename(f.from, f.to));
  await inChunks(dirs, (d) => fsyncDir(d));
  const out: RawFile[] = moves.map((f) => ({ path: relative(dataDir, f.to), day: f.day, events: f.events, bytes: f.bytes }));
  await fsyncDir(join(dataDir, 'events'));
  await rm(staging, { recursive: true, force: true });
  return out;
}

/** Runs `fn` over `items`, at most 32 at a time (file handles, the thread pool). */
async function inChunks<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 32) await Promise.all(items.slice(i, i + 32).map(fn));
}
