import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Day } from '@telemetry/schema';
import { RAW_COLUMN_NAMES } from './columns.ts';
import { sqlFileList, sqlString, type Sql } from './duck.ts';
import { durableRename, fsyncDir } from './fsync.ts';
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
  await sql.run(
    `COPY (SELECT ${cols} FROM (${selectSql}) ORDER BY day, ${RAW_SORT_ORDER})
     TO ${sqlString(staging)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), FILENAME_PATTERN ${sqlString(`${tag}_{i}`)},
       ROW_GROUP_SIZE 1000000, PARQUET_VERSION V2)`,
  );
  const staged: { from: string; day: Day; name: string }[] = [];
  for (const dirName of await readdir(staging).catch(() => [] as string[])) {
    const m = /^day=(\d{4}-\d{2}-\d{2})$/.exec(dirName);
    if (!m) continue;
    for (const name of await readdir(join(staging, dirName))) {
      staged.push({ from: join(staging, dirName, name), day: m[1] as Day, name });
    }
  }
  if (staged.length === 0) {
    await rm(staging, { recursive: true, force: true });
    return [];
  }
  const counts = new Map<string, number>();
  for (const r of await sql.all<{ file_name: string; num_rows: number }>(
    `SELECT file_name, num_rows FROM parquet_file_metadata(${sqlFileList(staged.map((s) => s.from))})`,
  )) {
    counts.set(r.file_name, Number(r.num_rows));
  }
  const out: RawFile[] = [];
  for (const s of staged) {
    const dayDir = join(dataDir, 'events', `day=${s.day}`);
    await mkdir(dayDir, { recursive: true });
    const to = join(dayDir, s.name);
    await durableRename(s.from, to);
    const { size } = await stat(to);
    out.push({ path: relative(dataDir, to), day: s.day, events: counts.get(s.from) ?? 0, bytes: size });
  }
  await fsyncDir(join(dataDir, 'events'));
  await rm(staging, { recursive: true, force: true });
  return out;
}
