import { rm } from 'node:fs/promises';
import type { Day } from '@telemetry/schema';
import type { BatchAggregator } from '../aggregate/aggregator.ts';
import type { EngineLogger } from '../options.ts';
import type { LogSegment } from './append-log.ts';
import { RAW_COLUMNS } from './columns.ts';
import { readColumns } from '../query/columnar.ts';
import { sqlFileList, type Sql, type SqlPool } from './duck.ts';
import type { Manifest, RawFile } from './manifest.ts';
import { writeDayPartitions } from './parquet-writer.ts';
import { DAY_NUMBER_SQL, EVENT_FINGERPRINT_SQL, dayNumberToString, type SeenEvents } from './seen-events.ts';

/** read_csv's column spec for the log lines (see batch-encoder.ts); ts is epoch milliseconds there. */
const LOG_COLUMNS = `{${Object.entries({ ...RAW_COLUMNS, ts: 'BIGINT' })
  .map(([k, t]) => `${k}: '${t}'`)
  .join(', ')}}`;

const STAGED_SELECT = Object.keys(RAW_COLUMNS)
  .map((c) => (c === 'ts' ? 'epoch_ms(ts) AS ts' : c))
  .join(', ');

export interface LoadResult {
  readonly events: number;
  readonly duplicates: number;
  readonly days: readonly Day[];
}

/**
 * Moves closed log segments into Parquet and the aggregates, exactly once:
 *   1. read the segments with DuckDB's read_csv (no per-value calls from JS);
 *   2. drop events already stored (same product and event id) — within the batch and against the
 *      fingerprints of the days the batch touches (seen-events.ts);
 *   3. write day-partitioned Parquet, fsync, rename (not yet visible);
 *   4. in ONE transaction: fold the new events into the aggregates, list the files in the
 *      manifest, record the last loaded segment;
 *   5. after COMMIT, delete the segments.
 * A crash before 4 leaves unlisted files (removed at open) and the segments (loaded again); a crash
 * after 4 leaves segments at or below the recorded sequence (deleted at open, never re-loaded).
 */
export async function loadSegments(
  sql: Sql,
  deps: {
    dataDir: string;
    manifest: Manifest;
    aggregator: BatchAggregator;
    logger: EngineLogger;
    seen: SeenEvents;
    /** A second connection: the Parquet files are written on it while `sql` folds the aggregates. */
    spare: SqlPool;
  },
  segments: readonly LogSegment[],
): Promise<LoadResult> {
  const { manifest, aggregator, seen } = deps;
  const lastSeq = segments[segments.length - 1].seq;
  // Step durations. `parquet` and `aggregate` run side by side, both timed from the end of dedup.
  const steps: Record<string, number> = {};
  let at = Date.now();
  const mark = (name: string) => {
    const now = Date.now();
    steps[name] = now - at;
    at = now;
  };
  await sql.run(`CREATE OR REPLACE TABLE ${STAGE}.incoming AS
    SELECT ${STAGED_SELECT}, CAST(epoch_ms(ts) AS DATE) AS day
    FROM read_csv(${sqlFileList(segments.map((s) => s.path))}, header = false, auto_detect = false, delim = ',',
      quote = '"', escape = '"', new_line = '\\n', columns = ${LOG_COLUMNS})`);
  // In rowid order: the first acknowledged copy of a repeated event is the one kept.
  const { rows: total, cols } = await readColumns(
    sql,
    `SELECT rowid::INTEGER, ${DAY_NUMBER_SQL('day')}, ${EVENT_FINGERPRINT_SQL} FROM ${STAGE}.incoming ORDER BY rowid`,
    undefined,
    [2],
  );
  const rowIds = cols[0] as Int32Array;
  const dayCol = cols[1] as Int32Array;
  const fpCol = cols[2] as Float64Array;
  mark('read');

  const drop = await seen.duplicates(dayCol, fpCol);
  const expired = new Set<number>();
  for (const d of new Set(dayCol)) if (manifest.isDropped(dayNumberToString(d) as Day)) expired.add(d);
  if (expired.size > 0) {
    // Acknowledged just before retention dropped their day: the day is gone for good, and a new
    // file would resurrect it without aggregates-before-drop semantics.
    deps.logger.warn('discarding events of days already dropped by retention', { days: [...expired].map(dayNumberToString) });
    for (let i = 0; i < total; i++) if (expired.has(dayCol[i])) drop[i] = 1;
  }
  const dropRows: number[] = [];
  for (let i = 0; i < total; i++) if (drop[i]) dropRows.push(rowIds[i]);
  if (dropRows.length > 0) await deleteRows(sql, `${STAGE}.incoming`, dropRows);
  await sql.run(`DROP TABLE IF EXISTS ${STAGE}.new_events; ALTER TABLE ${STAGE}.incoming RENAME TO new_events`);
  const kept = total - dropRows.length;
  mark('dedup');
  const sideBySide = at;

  // The Parquet write (single-threaded in DuckDB when partitioned and sorted) and the aggregate
  // fold read the same rows and do not depend on each other: run them side by side.
  const writing: Promise<RawFile[]> =
    kept > 0
      ? deps.spare.use((other) => writeDayPartitions(other, deps.dataDir, `SELECT * FROM ${STAGE}.new_events`, `l${lastSeq}`))
      : Promise.resolve([]);
  writing.then(() => (steps.parquet = Date.now() - sideBySide), () => undefined);
  let files: RawFile[] = [];
  try {
    await sql.transaction(async () => {
      if (kept > 0) await aggregator.applyBatch(sql, `${STAGE}.new_events`);
      steps.aggregate = Date.now() - sideBySide;
      files = await writing;
      at = Date.now();
      await manifest.recordFiles(sql, files);
      await manifest.recordLoadedSeq(sql, lastSeq);
    });
  } catch (err) {
    // Nothing was committed: the files must not linger unlisted (an erasure would not see them).
    const written = await writing.catch(() => [] as RawFile[]);
    await Promise.all(written.map((f) => rm(manifest.absolute(f.path), { force: true })));
    throw err;
  }
  manifest.applyCommitted({ added: files, loadedSeq: lastSeq });
  seen.addCommitted(dayCol, fpCol, drop);
  await sql.run(`DROP TABLE IF EXISTS ${STAGE}.incoming; DROP TABLE IF EXISTS ${STAGE}.new_events`);
  mark('commit');
  deps.logger.info('load step durations (ms)', steps);
  return { events: kept, duplicates: total - kept, days: [...new Set(files.map((f) => f.day))] };
}

/**
 * The in-memory database (attached at open) that holds a load's rows: unlike TEMP tables, its
 * tables are visible to every connection, so a second one can write the Parquet files.
 */
export const STAGE = 'stage';

/** Deletes rows by position (rowid) from a temp table, in statements of bounded size. */
async function deleteRows(sql: Sql, table: string, rows: readonly number[]): Promise<void> {
  const CHUNK = 20_000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await sql.run(`DELETE FROM ${table} WHERE rowid IN (SELECT unnest([${rows.slice(i, i + CHUNK).join(',')}]))`);
  }
}

/**
 * Reads the fingerprints of a day's committed files for SeenEvents. Runs in the write queue, like
 * the loader, so the files cannot be replaced while it reads them.
 */
export async function readDayFingerprints(sql: Sql, manifest: Manifest, day: number): Promise<Float64Array> {
  const files = manifest.filesOf(dayNumberToString(day) as Day).map((f) => manifest.absolute(f.path));
  if (files.length === 0) return new Float64Array(0);
  const { cols } = await readColumns(sql, `SELECT ${EVENT_FINGERPRINT_SQL} FROM read_parquet(${sqlFileList(files)})`, undefined, [0]);
  return cols[0] as Float64Array;
}
