/**
 * The lifecycle's seam to the materialized aggregates (packages/engine/src/aggregate/): what each
 * job asks of them, in one place. All of these run inside the caller's transaction.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { Day, SegmentFilter } from '@telemetry/schema';
import {
  eraseUserState as eraseAggregateUserState,
  exportDailyAggregates,
  pruneUserState as pruneAggregateUserState,
  rebuildAggregates,
} from '../aggregate/index.ts';
import type { Sql } from '../storage/duck.ts';

/** Retention: per-user state (first seen, active days) kept only for users seen since keptFrom. */
export async function pruneUserState(sql: Sql, keptFrom: Day): Promise<{ users: number }> {
  const report = await pruneAggregateUserState(sql, keptFrom);
  return { users: report.users };
}

/**
 * Erasure: removes the subject from per-user state. That state is kept per user only, so a
 * license has none of its own (its users are other subjects): its raw events are all there is.
 */
export async function eraseUserState(sql: Sql, subject: { column: 'user_hash' | 'license_hash'; hash: string }): Promise<void> {
  if (subject.column === 'user_hash') await eraseAggregateUserState(sql, subject.hash);
}

/** The DAILY_AGGREGATES export as one SELECT over the aggregate tables (covers dropped days too). */
export function dailyAggregatesQuery(range: { from: Day; to: Day }, filter: SegmentFilter | null): { sql: string; params: DuckDBValue[] } {
  return exportDailyAggregates(range, filter);
}

/** Recomputes the aggregates of the days of `range` that have raw files, from exactly those files. */
export async function rebuildAggregatesFromFiles(
  sql: Sql,
  range: { from: Day; to: Day },
  files: readonly string[],
  expiredDays: readonly Day[],
): Promise<{ days: number; events: number; skippedDays: readonly Day[] }> {
  return rebuildAggregates(sql, range, files, { expiredDays });
}
