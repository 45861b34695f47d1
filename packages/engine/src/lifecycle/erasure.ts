import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActorRole, Day, DeletionReport } from '@telemetry/schema';
import type { Subject } from '../engine.ts';
import { sqlFileList, type Sql } from '../storage/duck.ts';
import type { RawFile } from '../storage/manifest.ts';
import { writeDayPartitions } from '../storage/parquet-writer.ts';
import type { EngineInternals } from '../telemetry-engine.ts';
import { eraseUserState } from './aggregate-hooks.ts';
import { bumpErasureEpoch } from './erasure-epoch.ts';
import { exportRegistry } from './export-registry.ts';
import { checkSubject } from './inputs.ts';
import { awaitFilesGone, RELEASE_WAIT_MS, removeEmptyDirsOf } from './partition-files.ts';

/**
 * GDPR erasure of one user or one license: every stored raw event that carries its pseudonym is
 * removed, by rewriting the partitions that hold it (Parquet files are immutable):
 *
 * 1. flush(), then under the write queue ONE scan over every listed file finds the files with the
 *    subject (`WHERE user_hash = $1::UBIGINT`, or license_hash);
 * 2. those files are rewritten without the subject's rows (staging, fsync, rename; not yet listed)
 *    and the event counts are checked: new = old − deleted, or nothing is swapped;
 * 3. ONE transaction swaps the manifest entries, removes the subject from per-user state and
 *    unregisters raw-event exports (they may hold the subject's rows);
 * 4. after COMMIT the old files and those exports are deleted (old files once no reader holds
 *    them; the job waits for that), then DuckDB is checkpointed so the WAL keeps no state rows.
 *
 * A crash before 3 leaves unlisted new files, after it unlisted old ones: both are removed at
 * open. Aggregates are NOT changed (sketches cannot subtract one user): see README.md.
 * The audit entry holds counts only, never the id or its pseudonym.
 *
 * @example
 * await engine.deleteSubject({ userId: 'u-123' }, 'admin'); // { eventsDeleted: 42, partitionsRewritten: 3 }
 */
export async function deleteSubject(e: EngineInternals, subject: Subject, role: ActorRole): Promise<DeletionReport> {
  const target = e.pseudonymOf(checkSubject(subject));
  await e.flush();
  const started = performance.now();

  const outcome = await e.exclusive(async (sql) => {
    const files = e.manifest.allFiles();
    const hits = files.length === 0 ? [] : await filesHolding(sql, e, files, target);
    const affected = hits.map((h) => h.file);
    const eventsDeleted = hits.reduce((a, h) => a + h.rows, 0);
    const added = affected.length > 0 ? await rewriteWithout(sql, e, affected, target) : [];
    // New files are unlisted until the swap: if anything fails before it, they go now (open would
    // remove them too) and nothing has changed.
    const discardNew = () => Promise.all(added.map((f) => rm(e.manifest.absolute(f.path), { force: true })));
    const expected = affected.reduce((a, f) => a + f.events, 0) - eventsDeleted;
    const got = added.reduce((a, f) => a + f.events, 0);
    if (got !== expected) {
      await discardNew();
      throw new Error(`erasure rewrite produced ${got} events instead of ${expected}; nothing was changed`);
    }
    const removed = affected.map((f) => f.path);
    const exports = await exportRegistry.listOf(sql, 'EVENTS');
    try {
      await sql.transaction(async () => {
        await e.manifest.forgetFiles(sql, removed);
        await e.manifest.recordFiles(sql, added);
        await eraseUserState(sql, target);
        await exportRegistry.remove(sql, exports.map((x) => x.id));
      });
    } catch (err) {
      await discardNew();
      throw err;
    }
    e.manifest.applyCommitted({ added, removed });
    // Exports being written now may hold the subject's rows: they start over (export.ts).
    bumpErasureEpoch(e.manifest);
    for (const x of exports) await rm(join(e.dataDir, x.path), { force: true });
    const days = new Set<Day>(affected.map((f) => f.day));
    return { eventsDeleted, removed, days, exportsRemoved: exports.length };
  });

  const lingering = await awaitFilesGone(e.manifest, outcome.removed, RELEASE_WAIT_MS);
  if (lingering.length > 0) {
    e.logger.warn('rewritten files still read by a query: deleted when it finishes', { files: lingering.length });
  }
  await e.exclusive(async (sql) => {
    await removeEmptyDirsOf(e.dataDir, e.manifest, outcome.days);
    // Moves the WAL (which still holds the deleted state rows' old values) into the database file.
    await sql.run('CHECKPOINT').catch((err: unknown) => e.logger.warn('checkpoint after erasure skipped', { error: String(err) }));
  });

  const report: DeletionReport = { eventsDeleted: outcome.eventsDeleted, partitionsRewritten: outcome.days.size };
  await e.audit('subject_erased', role, {
    eventsDeleted: report.eventsDeleted,
    partitionsRewritten: report.partitionsRewritten,
    filesRewritten: outcome.removed.length,
    exportsRemoved: outcome.exportsRemoved,
    durationMs: Math.round(performance.now() - started),
  });
  return report;
}

/** One query over every file: the files that hold the subject and how many of its rows each. */
async function filesHolding(
  sql: Sql,
  e: EngineInternals,
  files: readonly RawFile[],
  target: { column: 'user_hash' | 'license_hash'; hash: string },
): Promise<{ file: RawFile; rows: number }[]> {
  const byPath = new Map(files.map((f) => [e.manifest.absolute(f.path), f]));
  const rows = await sql.all<{ file: string; n: number }>(
    `SELECT filename AS file, count(*) AS n FROM read_parquet(${sqlFileList([...byPath.keys()])}, filename = true)
     WHERE ${target.column} = $1::UBIGINT GROUP BY filename`,
    [target.hash],
  );
  return rows.map((r) => {
    const file = byPath.get(r.file);
    if (!file) throw new Error(`erasure scan returned a file the manifest does not list: ${r.file}`);
    return { file, rows: Number(r.n) };
  });
}

/** Writes the affected files again without the subject's rows; the new files are not yet listed. */
async function rewriteWithout(
  sql: Sql,
  e: EngineInternals,
  affected: readonly RawFile[],
  target: { column: 'user_hash' | 'license_hash'; hash: string },
): Promise<RawFile[]> {
  // writeDayPartitions takes SQL text without parameters, so the pseudonym goes through a temp
  // table (in memory, this connection only) rather than into the statement text.
  await sql.run(`CREATE OR REPLACE TEMP TABLE erasure_target AS SELECT $1::UBIGINT AS hash`, [target.hash]);
  try {
    const tag = `x${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    return await writeDayPartitions(
      sql,
      e.dataDir,
      `SELECT * FROM read_parquet(${sqlFileList(affected.map((f) => e.manifest.absolute(f.path)))}, hive_partitioning = true)
       WHERE ${target.column} IS DISTINCT FROM (SELECT hash FROM erasure_target)`,
      tag,
    );
  } finally {
    await sql.run('DROP TABLE IF EXISTS erasure_target');
  }
}
