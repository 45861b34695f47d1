import { type ActorRole, type DateRange, RawDataExpiredError } from '@telemetry/schema';
import type { EngineInternals } from '../telemetry-engine.ts';
import { rebuildAggregatesFromFiles } from './aggregate-hooks.ts';
import { checkRange } from './inputs.ts';

/**
 * Recomputes the aggregates of `range` from the raw partitions (after a fix to the aggregation,
 * say). Refused with RAW_DATA_EXPIRED when any day of the range was dropped by retention: those
 * days are sealed, and recomputing them from raw data that is no longer there would erase them.
 * Runs in one transaction under the write queue, with the files leased for its duration.
 *
 * @example
 * await engine.rebuildAggregates({ from: '2026-11-01', to: '2026-11-07' }); // { days: 7, events: 512345 }
 */
export async function rebuildAggregates(
  e: EngineInternals,
  range: DateRange,
  role: ActorRole = 'library',
): Promise<{ days: number; events: number }> {
  const r = checkRange(range);
  const sealed = e.expiredDaysIn(r.from, r.to);
  if (sealed.length > 0) throw new RawDataExpiredError(sealed);
  await e.flush();
  const started = performance.now();
  const result = await e.exclusive(async (sql) => {
    // A retention run may have dropped days of the range since the check above.
    const nowSealed = e.expiredDaysIn(r.from, r.to);
    if (nowSealed.length > 0) throw new RawDataExpiredError(nowSealed);
    const lease = e.leaseRawFiles(r.from, r.to);
    try {
      return await sql.transaction(() => rebuildAggregatesFromFiles(sql, r, lease.files, nowSealed));
    } finally {
      lease.release();
    }
  });
  await e.audit('aggregates_rebuilt', role, {
    from: r.from,
    to: r.to,
    days: result.days,
    events: result.events,
    // Days of the range without raw files: left as they are (no file may also mean lost files).
    skippedDays: result.skippedDays,
    durationMs: Math.round(performance.now() - started),
  });
  return { days: result.days, events: result.events };
}
