import { randomBytes } from 'node:crypto';
import type { Day } from '@telemetry/schema';
import type { EngineLogger } from '../options.ts';
import { sqlFileList, type Sql } from './duck.ts';
import type { Manifest } from './manifest.ts';
import { writeDayPartitions } from './parquet-writer.ts';

/**
 * Rewrites each day that has gathered `minFiles` or more files into one file. Atomic for readers:
 * the new file is written and renamed in first, then ONE manifest transaction swaps old for new;
 * the old files are deleted only when no query still holds a lease on them. A crash before the
 * swap leaves an unlisted new file (removed at open); after it, unlisted old files (likewise).
 * Events are neither lost nor doubled in either case because the manifest is the only truth.
 */
export async function compactDays(
  sql: Sql,
  deps: { dataDir: string; manifest: Manifest; minFiles: number; logger: EngineLogger; maxDays?: number },
): Promise<number> {
  const { manifest } = deps;
  const due = manifest.days().filter((d) => manifest.filesOf(d).length >= deps.minFiles);
  const todo = due.slice(0, deps.maxDays ?? 4);
  for (const day of todo) await compactDay(sql, deps, day);
  return todo.length;
}

export async function compactDay(sql: Sql, deps: { dataDir: string; manifest: Manifest; logger: EngineLogger }, day: Day): Promise<void> {
  const { manifest } = deps;
  const old = manifest.filesOf(day).slice();
  if (old.length < 2) return;
  const before = old.reduce((a, f) => a + f.events, 0);
  const tag = `c${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const added = await writeDayPartitions(
    sql,
    deps.dataDir,
    `SELECT * FROM read_parquet(${sqlFileList(old.map((f) => manifest.absolute(f.path)))}, hive_partitioning = true)`,
    tag,
  );
  const after = added.reduce((a, f) => a + f.events, 0);
  if (after !== before) {
    // Never swap in a rewrite that does not hold exactly the same events.
    throw new Error(`compaction of ${day} produced ${after} events from ${before}; keeping the original files`);
  }
  const removed = old.map((f) => f.path);
  await sql.transaction(async () => {
    await manifest.forgetFiles(sql, removed);
    await manifest.recordFiles(sql, added);
  });
  manifest.applyCommitted({ added, removed, sameEvents: true });
  deps.logger.info('compacted', { day, files: old.length, events: before });
}
