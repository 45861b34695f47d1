import type { Sql } from '../storage/duck.ts';
import {
  FEATURE_SCOPE_BITS,
  KIND_FEATURE_USER,
  KIND_SCOPE_FEATURE_USER,
  MAX_FEATURE_SCOPE_FID,
  MAX_FEATURE_SCOPE_VALUE,
  SCOPE_SUM_DIMENSIONS,
} from './tables.ts';

/**
 * Kind 6: a user's uses of a feature within one OS or license type value — what featureAdoption
 * filtered to one of them counts, exactly, from cells like kind 2's.
 *
 * Why not simply one more entity kind: kind-2 entities are the most numerous, and two more per
 * (user, feature) made every batch's fold 40% dearer. Nearly every (user, feature) is *pure*: all its
 * uses so far had one OS and one license type. A pure entity's kind-6 entities have exactly its kind-2
 * days, so their cells are its kind-2 cells filed under its two values (`derivedScopeCells`), with no
 * state of their own. The first use with another value (or two values in one batch) makes it *mixed*
 * (state_entity.mixed, kind 2): its kind-6 entities get state of their own — copied from its kind-2
 * state, every day of which had the pure values — and are folded like any kind from then on. Stores
 * migrated from before kind 6 mark every existing (user, feature) mixed: their kind-6 state starts
 * empty, and FEATURE_SCOPE_FROM dates the cells.
 */

const VALUES = SCOPE_SUM_DIMENSIONS.map((d) => `v_${d}`);
const FEATURE_EVENTS = `type = 'feature_used' AND nid IS NOT NULL AND nid <= ${MAX_FEATURE_SCOPE_FID}`;
/** Each segment with its value ids of SCOPE_SUM_DIMENSIONS, one row per value (seg, v). */
const SEGMENT_VALUES = `(SELECT seg, unnest([${VALUES.join(', ')}]) AS v FROM agg_segment)`;
const SAME_ENTITY = (a: string, b: string) => `${a}.product_id = ${b}.product_id AND ${a}.id = ${b}.id AND ${a}.key = ${b}.key`;

/**
 * Batch fold, after `oc_ent` (batch entities with their stored state) and before the new days are
 * told apart: lists in `oc_mixed` the batch's mixed (user, feature) pairs (`turning`: pure until this
 * batch, `flag`: not yet marked mixed in state_entity), gives the turning ones their kind-6 state, and
 * adds the kind-6 days of every mixed pair to `oc_bd` and `oc_ent`.
 */
export async function separateMixedFeatureUsers(sql: Sql): Promise<void> {
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_mixed AS
    WITH v AS (
      SELECT product_id, user_hash AS id, nid AS key,
             ${VALUES.map((c) => `min(${c}) AS ${c}_lo, max(${c}) AS ${c}_hi`).join(', ')}
      FROM ab_ev WHERE ${FEATURE_EVENTS} GROUP BY ALL)
    SELECT v.product_id, v.id, v.key, (e.old_ts IS NOT NULL AND NOT e.mixed) AS turning, (e.old_ts IS NULL OR NOT e.mixed) AS flag
    FROM v JOIN oc_ent e ON e.kind = ${KIND_FEATURE_USER} AND ${SAME_ENTITY('e', 'v')}
    LEFT JOIN agg_segment s ON s.seg = e.old_seg
    WHERE coalesce(e.mixed, false)
       OR ${VALUES.map((c) => `v.${c}_lo <> v.${c}_hi`).join(' OR ')}
       OR (e.old_ts IS NOT NULL AND (${VALUES.map((c) => `s.${c} <> v.${c}_lo`).join(' OR ')}))`);
  const counts = (await sql.one<{ n: number; t: number }>(`SELECT count(*) AS n, count(*) FILTER (WHERE turning) AS t FROM oc_mixed`))!;
  if (Number(counts.n) === 0) return;
  if (Number(counts.t) > 0) {
    // Pure until now: every stored day had the values of its first event's segment.
    await sql.run(`INSERT INTO state_entity
      SELECT ${KIND_SCOPE_FEATURE_USER}, e.product_id, e.id, ${scopeKey('v', 'e.key')}, e.old_ts, e.old_seg, e.last1, e.last1_seg,
             e.last2, e.last2_seg, false
      FROM oc_ent e SEMI JOIN oc_mixed m ON m.turning AND ${SAME_ENTITY('m', 'e')}
      JOIN ${SEGMENT_VALUES} s ON s.seg = e.old_seg
      WHERE e.kind = ${KIND_FEATURE_USER} AND v <= ${MAX_FEATURE_SCOPE_VALUE}`);
    await sql.run(`INSERT INTO state_days
      SELECT ${KIND_SCOPE_FEATURE_USER}, d.product_id, d.id, ${scopeKey('s.v', 'd.key')}, d.day, d.seg
      FROM state_days d SEMI JOIN oc_mixed m ON m.turning AND ${SAME_ENTITY('m', 'd')}
      JOIN ${SEGMENT_VALUES} s ON s.seg = d.seg
      WHERE d.kind = ${KIND_FEATURE_USER} AND s.v <= ${MAX_FEATURE_SCOPE_VALUE}`);
  }
  await addMixedBatchDays(sql);
  await sql.run(`INSERT INTO oc_ent
    SELECT b.*, e.first_ts, e.first_seg, e.last1, e.last1_seg, e.last2, e.last2_seg, e.mixed
    FROM (SELECT kind, product_id, id, key, min(ts) AS b_ts, arg_min(seg, (ts, seg)) AS b_seg
          FROM oc_bd WHERE kind = ${KIND_SCOPE_FEATURE_USER} GROUP BY ALL) b
    LEFT JOIN state_entity e USING (kind, product_id, id, key)`);
}

/** Rebuild: the pairs of the raw events already mixed in state_entity, and their kind-6 days (oc_bd). */
export async function rebuildMixedFeatureUsers(sql: Sql): Promise<void> {
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_mixed AS
    SELECT DISTINCT b.product_id, b.id, b.key, false AS turning, false AS flag
    FROM oc_bd b JOIN state_entity e USING (kind, product_id, id, key) WHERE b.kind = ${KIND_FEATURE_USER} AND e.mixed`);
  await addMixedBatchDays(sql);
}

/** Per mixed pair, OS or license type value and day of the batch: the earliest use (oc_bd rows). */
async function addMixedBatchDays(sql: Sql): Promise<void> {
  await sql.run(`INSERT INTO oc_bd
    SELECT ${KIND_SCOPE_FEATURE_USER}::UTINYINT, product_id, user_hash, ${scopeKey('v', 'nid')}, day, min(ts), arg_min(seg, (ts, seg))
    FROM (SELECT product_id, user_hash, nid, day, ts, seg, unnest([${VALUES.join(', ')}]) AS v
          FROM (SELECT * FROM ab_ev WHERE ${FEATURE_EVENTS}) a SEMI JOIN oc_mixed m
            ON m.product_id = a.product_id AND m.id = a.user_hash AND m.key = a.nid)
    WHERE v <= ${MAX_FEATURE_SCOPE_VALUE}
    GROUP BY product_id, user_hash, v, nid, day`);
}

/** After the batch's entities are stored: pairs that turned mixed (or were born so) say so. */
export async function markMixedFeatureUsers(sql: Sql): Promise<void> {
  await sql.run(`UPDATE state_entity s SET mixed = true FROM oc_mixed m
    WHERE m.flag AND s.kind = ${KIND_FEATURE_USER} AND ${SAME_ENTITY('s', 'm')}`);
}

/**
 * Cell rows of pure (user, feature) pairs filed under their values: `rows` is a SELECT of kind-2 cell
 * rows (product_id, id, key, seg, arity, a, b, w), the result the same rows as kind 6.
 */
export function derivedScopeCells(rows: string): string {
  // Summed per cell and pair of values before the values are spread: far fewer rows to unnest.
  return `SELECT ${KIND_SCOPE_FEATURE_USER}::UTINYINT AS kind, product_id, ${scopeKey('v', 'key')} AS key, arity, a, b, w
    FROM (SELECT product_id, key, arity, a, b, w, unnest([${VALUES.join(', ')}]) AS v
          FROM (SELECT c.product_id, c.key, c.arity, c.a, c.b, ${VALUES.map((v) => `s.${v}`).join(', ')}, sum(c.w) AS w
                FROM (${rows}) c ANTI JOIN oc_mixed m ON ${SAME_ENTITY('m', 'c')} JOIN agg_segment s ON s.seg = c.seg
                WHERE c.key <= ${MAX_FEATURE_SCOPE_FID}
                GROUP BY ALL))
    WHERE v <= ${MAX_FEATURE_SCOPE_VALUE}`;
}

function scopeKey(value: string, fid: string): string {
  return `((${value})::INTEGER << ${FEATURE_SCOPE_BITS}) | (${fid})::INTEGER`;
}
