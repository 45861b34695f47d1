import { rm } from 'node:fs/promises';
import type { Day } from '@telemetry/schema';
import type { BatchAggregator } from '../aggregate/aggregator.ts';
import type { EngineLogger } from '../options.ts';
import type { LogSegment } from './append-log.ts';
import { RAW_COLUMNS } from './columns.ts';
import { sqlFileList, sqlString, type Sql } from './duck.ts';
import type { Manifest } from './manifest.ts';
import { writeDayPartitions } from './parquet-writer.ts';

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
 *   1. read the segments with DuckDB's read_json (no per-value calls from JS);
 *   2. drop events already stored (same product and event id) — within the batch and against the
 *      committed files of the days the batch touches;
 *   3. write day-partitioned Parquet, fsync, rename (not yet visible);
 *   4. in ONE transaction: fold the new events into the aggregates, list the files in the
 *      manifest, record the last loaded segment;
 *   5. after COMMIT, delete the segments.
 * A crash before 4 leaves unlisted files (removed at open) and the segments (loaded again); a crash
 * after 4 leaves segments at or below the recorded sequence (deleted at open, never re-loaded).
 */
export async function loadSegments(
  sql: Sql,
  deps: { dataDir: string; manifest: Manifest; aggregator: BatchAggregator; logger: EngineLogger },
  segments: readonly LogSegment[],
): Promise<LoadResult> {
  const { manifest, aggregator } = deps;
  const lastSeq = segments[segments.length - 1].seq;
  const t0 = Date.now();
  const steps: Record<string, number> = {};
  const mark = (name: string) => (steps[name] = Date.now() - t0);
  await sql.run(`CREATE OR REPLACE TEMP TABLE incoming AS
    SELECT ${STAGED_SELECT}, CAST(epoch_ms(ts) AS DATE) AS day
    FROM read_csv(${sqlFileList(segments.map((s) => s.path))}, header = false, auto_detect = false, delim = ',',
      quote = '"', escape = '"', new_line = '\\n', columns = ${LOG_COLUMNS})`);
  const touched = (await sql.all<{ day: string; n: number }>(`SELECT day::VARCHAR AS day, count(*) AS n FROM incoming GROUP BY day`)).map(
    (r) => ({ day: r.day as Day, n: r.n }),
  );
  const total = touched.reduce((a, r) => a + r.n, 0);
  mark('read');
  const expired = touched.filter((t) => manifest.isDropped(t.day));
  if (expired.length > 0) {
    // Acknowledged just before retention dropped their day: the day is gone for good, and a new
    // file would resurrect it without aggregates-before-drop semantics.
    deps.logger.warn('discarding events of days already dropped by retention', { days: expired.map((e) => e.day) });
  }
  const existing = touched.flatMap((t) => manifest.filesOf(t.day)).map((f) => manifest.absolute(f.path));
  // No lease needed: the loader runs in the engine's write queue, so compaction, retention and
  // erasure cannot replace these files while it reads them.
  const antiJoin =
    existing.length > 0
      ? `AND NOT EXISTS (SELECT 1 FROM read_parquet(${sqlFileList(existing)}) AS s
           WHERE s.product_id = i.product_id AND s.event_id = i.event_id)`
      : '';
  const droppedFilter =
    expired.length > 0 ? `AND i.day NOT IN (${expired.map((e) => `${sqlString(e.day)}::DATE`).join(', ')})` : '';
  // Re-sent events inside one load are rare: find their keys first (a hash aggregate over two
  // columns) and pay for a full de-duplication only when there are any.
  const repeated = (await sql.one<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM incoming GROUP BY product_id, event_id HAVING count(*) > 1)`,
  ))!.n;
  const once = repeated > 0 ? 'QUALIFY row_number() OVER (PARTITION BY i.product_id, i.event_id ORDER BY i.ts) = 1' : '';
  if (antiJoin === '' && droppedFilter === '' && once === '') {
    await sql.run(`ALTER TABLE incoming RENAME TO new_events`);
  } else {
    await sql.run(`CREATE OR REPLACE TEMP TABLE new_events AS
      SELECT * FROM incoming AS i
      WHERE true ${droppedFilter} ${antiJoin}
      ${once}`);
  }
  const kept = (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM new_events`))?.n ?? 0;
  mark('dedup');
  const files = kept > 0 ? await writeDayPartitions(sql, deps.dataDir, 'SELECT * FROM new_events', `l${lastSeq}`) : [];
  mark('parquet');
  try {
    await sql.transaction(async () => {
      if (kept > 0) await aggregator.applyBatch(sql, 'new_events');
      mark('aggregate');
      await manifest.recordFiles(sql, files);
      await manifest.recordLoadedSeq(sql, lastSeq);
    });
  } catch (err) {
    // Nothing was committed: the files must not linger unlisted (an erasure would not see them).
    await Promise.all(files.map((f) => rm(manifest.absolute(f.path), { force: true })));
    throw err;
  }
  manifest.applyCommitted({ added: files, loadedSeq: lastSeq });
  await sql.run('DROP TABLE IF EXISTS incoming');
  await sql.run('DROP TABLE IF EXISTS new_events');
  mark('commit');
  deps.logger.info('load steps (ms since start)', steps);
  return { events: kept, duplicates: total - kept, days: [...new Set(files.map((f) => f.day))] };
}
