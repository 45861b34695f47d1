import { type ActorRole, addDays, type Day, type RetentionReport } from '@telemetry/schema';
import type { EngineInternals } from '../telemetry-engine.ts';
import { pruneUserState } from './aggregate-hooks.ts';
import { removeExpiredExports } from './export.ts';
import { awaitFilesGone, RELEASE_WAIT_MS, removeEmptyDayDirs } from './partition-files.ts';

/**
 * The retention job (metrics.md, Retention): with storage duration N, every day partition
 * D < today − N is dropped whole, after it is aggregated.
 *
 * 1. flush(): whatever is acknowledged is loaded into Parquet and the aggregates (same
 *    transaction, so a listed file is always aggregated). If that fails, nothing is dropped and
 *    the due days are reported as `failedDays`: the log may hold events of those days.
 * 2. Under the write queue, ONE transaction forgets the files of every expired day, records the
 *    days in `dropped_days` (sealed: rebuilds and late events never recreate them) and prunes
 *    per-user state to users seen since keptFrom.
 * 3. After COMMIT the manifest deletes the files (deferred while a reader holds a lease); the job
 *    waits until they are gone from disk, then removes the empty day folders.
 *
 * Crash-safe by the manifest being the only truth: killed before COMMIT, nothing changed and the
 * next run drops the same days; killed after, the files are unlisted and removed at open.
 * Cost O(days dropped): one DELETE per file and one INSERT per day, one commit, one unlink per file.
 *
 * @example
 * const report = await engine.runRetention('admin');
 * // { asOf: '2026-11-25', droppedDays: ['2026-08-26'], droppedEvents: 81234, keptFrom: '2026-08-27', failedDays: [] }
 */
export async function runRetention(e: EngineInternals, role: ActorRole): Promise<RetentionReport> {
  const started = performance.now();
  const asOf = e.today();
  const keptFrom = addDays(asOf, -e.settings().storageDurationDays);
  let flushError: unknown = null;
  try {
    await e.flush();
  } catch (err) {
    flushError = err;
  }

  const outcome = await e.exclusive(async (sql) => {
    const due = e.manifest.days().filter((d) => d < keptFrom);
    if (flushError !== null || due.length === 0) {
      // A failed flush: the log may hold events of any due day. TODO(lead): with the days of the
      // unloaded events (EngineInternals.unloadedDays()) only those would be held back.
      // Nothing due: nothing to prune either (a user's last day expiring is a due day).
      return { dropped: new Map<Day, number>(), removed: [] as string[], failed: flushError !== null ? due : [], prunedUsers: 0 };
    }
    const dropped = new Map<Day, number>();
    const removed: string[] = [];
    for (const day of due) {
      const files = e.manifest.filesOf(day);
      dropped.set(day, files.reduce((a, f) => a + f.events, 0));
      for (const f of files) removed.push(f.path);
    }
    const pruned = await sql.transaction(async () => {
      await e.manifest.forgetFiles(sql, removed);
      for (const [day, events] of dropped) await e.manifest.recordDropped(sql, day, events);
      return pruneUserState(sql, keptFrom);
    });
    e.manifest.applyCommitted({ removed, dropped });
    return { dropped, removed, failed: [] as Day[], prunedUsers: pruned.users };
  });

  // Outside the write queue: a reader may need the queue (to register an export) before it lets go.
  const lingering = await awaitFilesGone(e.manifest, outcome.removed, RELEASE_WAIT_MS);
  if (lingering.length > 0) {
    e.logger.warn('dropped files are still read by a query; they are deleted when it finishes', { files: lingering.length });
  }
  await e.exclusive(() => removeEmptyDayDirs(e.dataDir, e.manifest, keptFrom));
  await removeExpiredExports(e);

  const droppedDays = [...outcome.dropped.keys()];
  const droppedEvents = [...outcome.dropped.values()].reduce((a, n) => a + n, 0);
  const durationMs = Math.round(performance.now() - started);
  const details: Record<string, unknown> = { days: droppedDays, events: droppedEvents, durationMs, keptFrom, asOf, prunedUsers: outcome.prunedUsers };
  if (outcome.failed.length > 0) {
    details.failedDays = outcome.failed;
    details.error = String((flushError as Error)?.message ?? flushError);
    e.logger.error('retention kept expired days: loading the acknowledged events failed', {
      days: outcome.failed.length,
      error: details.error,
    });
  }
  await e.audit('retention_run', role, details);
  e.logger.info('retention', { dropped: droppedDays.length, events: droppedEvents, ms: durationMs });
  return { asOf, droppedDays, droppedEvents, keptFrom, failedDays: outcome.failed, durationMs };
}
