import type { Day } from '@telemetry/schema';
import type { Sql } from '../storage/duck.ts';
import { dayFromIndex, dayIndex, monthStart, weekStart } from './periods.ts';
import { KIND_CRASHED_SESSION, KIND_FEATURE_USER, KIND_SCOPE_FEATURE_USER, KIND_SCOPE_USER, KIND_SESSION, KIND_USER } from './tables.ts';

/** The kinds whose entities are (parts of) one user: they go with it. */
const USER_KINDS = [KIND_USER, KIND_FEATURE_USER, KIND_SCOPE_USER, KIND_SCOPE_FEATURE_USER] as const;

export interface PruneReport {
  /** Users whose state was removed (no event within the storage duration). */
  readonly users: number;
  /** state_entity rows removed (users and their (user, feature) pairs). */
  readonly entities: number;
  readonly dayRows: number;
}

/**
 * Prunes the per-entity state to users seen within the storage duration (call it from the retention
 * job with the job's `keptFrom`, in the same transaction that drops the days):
 * - a user whose last event is before `keptFrom` is forgotten with all its (user, feature) rows —
 *   if it comes back it is new (metrics.md), in cohorts and first uses alike;
 * - active days older than the start of the ISO week and of the month that contain `keptFrom` are
 *   dropped: a late event can only land on or after `keptFrom`, and a day of its week or month is
 *   all the cohort fold needs to look back to. The two latest days of every entity stay in
 *   state_entity, which is all an in-order event needs.
 * Aggregates are not touched: they never hold per-user rows.
 */
export async function pruneUserState(sql: Sql, keptFrom: Day): Promise<PruneReport> {
  const k = dayIndex(keptFrom);
  const boundary = dayFromIndex(Math.min(weekStart(k), monthStart(k)));
  const users =
    (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM state_entity WHERE kind = ${KIND_USER} AND last1 < $1::DATE`, [keptFrom]))?.n ?? 0;
  const before = (await sql.one<{ e: number; d: number }>(`SELECT (SELECT count(*) FROM state_entity) AS e, (SELECT count(*) FROM state_days) AS d`))!;
  // Users and sessions go when not seen since keptFrom; a user's feature and scope entities go with it.
  await sql.run(`DELETE FROM state_entity WHERE kind IN (${KIND_USER}, ${KIND_SESSION}, ${KIND_CRASHED_SESSION}) AND last1 < $1::DATE`, [keptFrom]);
  await sql.run(`DELETE FROM state_entity s WHERE kind IN (${USER_KINDS.filter((k) => k !== KIND_USER)}) AND NOT EXISTS (
      SELECT 1 FROM state_entity u WHERE u.kind = ${KIND_USER} AND u.product_id = s.product_id AND u.id = s.id)`);
  await sql.run(`DELETE FROM state_days WHERE day < $1::DATE`, [boundary]);
  await sql.run(`DELETE FROM state_days d WHERE NOT EXISTS (
      SELECT 1 FROM state_entity e WHERE e.kind = d.kind AND e.product_id = d.product_id AND e.id = d.id AND e.key = d.key)`);
  const after = (await sql.one<{ e: number; d: number }>(`SELECT (SELECT count(*) FROM state_entity) AS e, (SELECT count(*) FROM state_days) AS d`))!;
  return { users, entities: before.e - after.e, dayRows: before.d - after.d };
}

/**
 * Erasure: forgets one pseudonymized user (decimal UBIGINT) in the per-entity state — its first-seen
 * event, active days and feature first uses. Aggregates keep what the user's events contributed (they
 * hold no pseudonym, and sketches cannot subtract one user); if the same id comes back it is new.
 */
export async function eraseUserState(sql: Sql, userHash: string): Promise<void> {
  const users = `kind IN (${USER_KINDS}) AND id = $1::UBIGINT`;
  await sql.run(`DELETE FROM state_entity WHERE ${users}`, [userHash]);
  await sql.run(`DELETE FROM state_days WHERE ${users}`, [userHash]);
}
