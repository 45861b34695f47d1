import type { Sql } from '../storage/duck.ts';
import { mergeMaxRows, mergeSum } from './fold-events.ts';
import { hllRegSql, hllRhoSql, userHashSql } from './hll.ts';
import { periodStartSql } from './periods.ts';
import { derivedScopeCells, markMixedFeatureUsers, separateMixedFeatureUsers } from './feature-scopes.ts';
import {
  KIND_CRASHED_SESSION,
  KIND_FEATURE_USER,
  KIND_SCOPE_FEATURE_USER,
  KIND_SCOPE_USER,
  KIND_SESSION,
  KIND_USER,
  OCC_TABLE,
  OCC_TABLES,
  occKindsSql,
  scopeKeysSql,
  SUFFIX_KINDS,
  TRIPLE_KINDS,
} from './tables.ts';

/**
 * Exact counts that need to know an entity's history: distinct users over any day interval, users of
 * a feature (adopters) and users with ≥ 2 use days (repeat adopters) per product, retention cohorts
 * and first-use histograms. They are derived here, at ingest time, from small per-entity state
 * (state_entity, state_days — hashed ids only) into anonymous cells; queries never read the state.
 *
 * An entity is a user, a (user, feature) pair (over all events, or over those with one OS or license
 * type), a user within one dimension value, or a session within a segment (KIND_* in tables.ts). Its
 * active days d1 < d2 < … are summarized by cells that queries can add up over any interval [x, y]:
 *   arity 1 (a = b = d_i), arity 2 (a, b) = (d_i, d_i+1), arity 3 (a, b) = (d_i, d_i+2).
 * The days of one entity inside [x, y] are a run of consecutive d_i, so
 *   entities active in [x, y]      = Σ arity1 − Σ arity2   (a run of k days: k − (k − 1) = 1)
 *   entities with ≥ 2 days in it   = Σ arity2 − Σ arity3   (a run of k ≥ 2: (k − 1) − (k − 2) = 1)
 * summing cells with x <= a and b <= y. Exact, and a day arriving late (between known days) only
 * moves a few cells: the fold computes the cells of the entity's day list before and after the batch
 * and adds the difference.
 *
 * For speed, an entity whose new days all come after its last known day (the common, in-order case)
 * is folded from its two latest days (state_entity.last1/last2) — enough to see every changed
 * pair and triple. Only late days, or a new first event, read the entity's full day list.
 */

const ENTITY = 'kind, product_id, id, key';

/**
 * The segment a cohort cell is filed under: the first event's for kind 1 (segment filters fall back
 * to it), the product's lowest segment id for kind 3 (its cells are only ever filtered by product).
 */
const COHORT_SEG = (kind: string, seg: string, product: string): string =>
  `CASE WHEN ${kind} = ${KIND_SCOPE_USER} THEN (SELECT min(ps.seg) FROM agg_segment ps WHERE ps.product_id = ${product}) ELSE ${seg} END`;

const ENTITY_WINDOW = `(PARTITION BY kind, product_id, id, key, sign ORDER BY day)`;

/**
 * Folds the enriched batch `ab_ev` (see fold-events.ts) into the per-entity state and the exact cells.
 */
export async function foldOccurrences(sql: Sql): Promise<void> {
  await buildBatchDays(sql);
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_ent AS
    SELECT b.*, e.first_ts AS old_ts, e.first_seg AS old_seg, e.last1, e.last1_seg, e.last2, e.last2_seg, e.mixed
    FROM (SELECT ${ENTITY}, min(ts) AS b_ts, arg_min(seg, (ts, seg)) AS b_seg FROM oc_bd GROUP BY ALL) b
    LEFT JOIN state_entity e USING (${ENTITY})`);
  await separateMixedFeatureUsers(sql);

  // Which batch days are new to their entity. After its latest day or for an unknown entity: new;
  // equal to one of the two latest: known; otherwise look it up (late events only).
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_check AS
    SELECT d.kind, d.product_id, d.id, d.key, d.day, d.seg FROM oc_bd d JOIN oc_ent e USING (${ENTITY})
    WHERE e.last1 IS NOT NULL AND d.day < e.last1 AND d.day IS DISTINCT FROM e.last2`);
  const checks = (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM oc_check`))?.n ?? 0;
  if (checks > 0) {
    // An inner join, so DuckDB builds its hash table on the few rows to check, not on state_days.
    await sql.run(`CREATE OR REPLACE TEMP TABLE oc_known AS
      SELECT c.kind, c.product_id, c.id, c.key, c.day, c.seg FROM state_days s
      JOIN oc_check c ON s.kind = c.kind AND s.product_id = c.product_id AND s.id = c.id AND s.key = c.key AND s.day = c.day`);
  }
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_new AS
    SELECT d.kind, d.product_id, d.id, d.key, d.day, d.seg FROM oc_bd d JOIN oc_ent e USING (${ENTITY})
    WHERE e.last1 IS NULL OR d.day > e.last1
    ${checks > 0 ? 'UNION ALL (SELECT * FROM oc_check EXCEPT SELECT * FROM oc_known)' : ''}`);

  // Entities whose cells change: new days, or an earlier first event (its segment attributes cohorts).
  // Slow ones (a late day before a known one, or a new first event) are re-folded from their full
  // day lists; the others — nearly all — take the fast path below.
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_class AS
    WITH n AS (SELECT ${ENTITY}, min(day) AS min_new FROM oc_new GROUP BY ALL),
    t AS (
      SELECT e.*, n.min_new,
             (e.old_ts IS NULL OR e.b_ts < e.old_ts OR (e.b_ts = e.old_ts AND e.b_seg < e.old_seg)) AS first_changed
      FROM oc_ent e LEFT JOIN n USING (${ENTITY}))
    SELECT ${ENTITY}, old_ts, old_seg,
           CASE WHEN first_changed THEN b_ts ELSE old_ts END AS new_ts,
           CASE WHEN first_changed THEN b_seg ELSE old_seg END AS new_seg,
           first_changed,
           (old_ts IS NOT NULL AND (first_changed OR min_new < last1)) AS slow,
           last1, last1_seg, last2, last2_seg
    FROM t WHERE min_new IS NOT NULL OR first_changed`);
  await foldInOrder(sql);
  const slow = (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM oc_class WHERE slow`))?.n ?? 0;
  if (slow > 0) {
    await sql.run(`CREATE OR REPLACE TEMP TABLE oc_touch AS SELECT * FROM oc_class WHERE slow`);
    await sql.run(`CREATE OR REPLACE TEMP TABLE oc_old AS
      SELECT s.kind, s.product_id, s.id, s.key, s.day, s.seg
      FROM state_days s JOIN (SELECT ${ENTITY} FROM oc_touch) t USING (${ENTITY})`);
    await sql.run(`CREATE OR REPLACE TEMP TABLE oc_lists AS
      SELECT ${ENTITY}, day, seg, -1 AS sign FROM oc_old
      UNION ALL SELECT ${ENTITY}, day, seg, 1 FROM oc_old
      UNION ALL SELECT n.kind, n.product_id, n.id, n.key, n.day, n.seg, 1 FROM oc_new n SEMI JOIN oc_touch t USING (${ENTITY})`);
    await foldListDeltas(sql);
    await foldRepeatWitnesses(sql, 'added');
  }
  await sql.run(`INSERT INTO state_days SELECT ${ENTITY}, day, seg FROM oc_new`);
  await markMixedFeatureUsers(sql);
}

/**
 * The fast path: entities whose new days all follow their latest known day (or that are new). Each
 * new day's predecessors are the previous new day or the stored latest days, so every changed cell is
 * a new one: +1 per day (arity 1), per (predecessor, day) (arity 2) and per (second predecessor, day)
 * (arity 3, features); a cohort period counts when no earlier day fell in it; a new (user, feature)
 * adds its first use.
 */
async function foldInOrder(sql: Sql): Promise<void> {
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_fast AS
    SELECT n.kind, n.product_id, n.id, n.key, n.day, n.seg,
           coalesce(lag(n.day) OVER w, c.last1) AS p1,
           CASE WHEN lag(n.day) OVER w IS NULL THEN c.last1_seg ELSE lag(n.seg) OVER w END AS s1,
           CASE WHEN lag(n.day, 2) OVER w IS NOT NULL THEN lag(n.day, 2) OVER w
                WHEN lag(n.day) OVER w IS NOT NULL THEN c.last1 ELSE c.last2 END AS p2,
           CASE WHEN lead(n.day) OVER w IS NULL THEN 1 WHEN lead(n.day, 2) OVER w IS NULL THEN 2 ELSE 3 END AS newest,
           c.last1 AS old_last1, c.last1_seg AS old_last1_seg, c.old_ts, c.new_ts, c.new_seg
    FROM oc_new n JOIN oc_class c USING (${ENTITY})
    WHERE NOT c.slow
    WINDOW w AS (PARTITION BY n.kind, n.product_id, n.id, n.key ORDER BY n.day)`);
  await mergeCells(
    sql,
    (kinds) => `SELECT kind, product_id, id, key, seg, 1::UTINYINT AS arity, day AS a, day AS b, 1 AS w FROM oc_fast WHERE ${kinds}
       UNION ALL SELECT kind, product_id, id, key, seg, 2::UTINYINT, p1, day, 1 FROM oc_fast WHERE p1 IS NOT NULL AND ${kinds}
       UNION ALL SELECT kind, product_id, id, key, seg, 3::UTINYINT, p2, day, 1 FROM oc_fast WHERE p2 IS NOT NULL AND kind IN (${TRIPLE_KINDS}) AND ${kinds}`,
  );
  await mergeSum(
    sql,
    'cohort_cells',
    ['kind', 'key', 'seg', 'g', 'cohort', 'period'],
    ['users'],
    `SELECT kind, key, seg, g, cohort, period, count(*)::BIGINT AS users FROM (
       SELECT DISTINCT f.kind, f.key, f.product_id, f.id, ${COHORT_SEG('f.kind', 'f.new_seg', 'f.product_id')} AS seg, g.g,
              ${periodStartSql('g.g', 'CAST(f.new_ts AS DATE)')} AS cohort, ${periodStartSql('g.g', 'f.day')} AS period
       FROM oc_fast f, (VALUES (0), (1), (2)) AS g(g)
       WHERE f.kind IN (${KIND_USER}, ${KIND_SCOPE_USER})
         AND (f.old_last1 IS NULL OR ${periodStartSql('g.g', 'f.day')} <> ${periodStartSql('g.g', 'f.old_last1')}))
     GROUP BY ALL`,
  );
  await mergeFirstUses(
    sql,
    `SELECT new_seg AS seg, key AS fid, CAST(new_ts AS DATE) AS day, count(*)::BIGINT AS users
     FROM oc_fast WHERE kind = ${KIND_FEATURE_USER} AND old_ts IS NULL AND newest = 1 GROUP BY ALL`,
  );
  const hash = userHashSql('product_id', 'id');
  await mergeMaxRows(
    sql,
    'hll_feature_repeat',
    ['day', 'prev_day', 'seg', 'prev_seg', 'fid'],
    `SELECT day, p1 AS prev_day, seg, s1 AS prev_seg, key AS fid, ${hllRegSql(hash)} AS reg, max(${hllRhoSql(hash)}) AS rho
     FROM oc_fast WHERE kind = ${KIND_FEATURE_USER} AND p1 IS NOT NULL GROUP BY ALL`,
  );
  await sql.run(`MERGE INTO state_entity s USING (
      SELECT kind, product_id, id, key, any_value(new_ts) AS new_ts, any_value(new_seg) AS new_seg,
             max(day) FILTER (WHERE newest = 1) AS last1, max(seg) FILTER (WHERE newest = 1) AS last1_seg,
             coalesce(max(day) FILTER (WHERE newest = 2), any_value(old_last1)) AS last2,
             CASE WHEN count(*) >= 2 THEN max(seg) FILTER (WHERE newest = 2) ELSE any_value(old_last1_seg) END AS last2_seg
      FROM oc_fast GROUP BY kind, product_id, id, key) n
    ON s.kind = n.kind AND s.product_id = n.product_id AND s.id = n.id AND s.key = n.key
    WHEN MATCHED THEN UPDATE SET last1 = n.last1, last1_seg = n.last1_seg, last2 = n.last2, last2_seg = n.last2_seg
    WHEN NOT MATCHED THEN INSERT VALUES
      (n.kind, n.product_id, n.id, n.key, n.new_ts, n.new_seg, n.last1, n.last1_seg, n.last2, n.last2_seg, false)`);
}

/**
 * Per entity and day of the batch (`ab_ev`, `ab_sessions`): the earliest event and its segment
 * (temp table oc_bd). Users also count once per dimension value they had that day (kind 3), sessions
 * once per segment (kinds 4, 5). Kind 6 is added by feature-scopes.ts (only where it is kept apart).
 */
export async function buildBatchDays(sql: Sql): Promise<void> {
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_bd AS
    SELECT ${KIND_USER}::UTINYINT AS kind, product_id, user_hash AS id, 0 AS key, day,
           min(ts) AS ts, arg_min(seg, (ts, seg)) AS seg
    FROM ab_ev GROUP BY product_id, user_hash, day
    UNION ALL
    SELECT ${KIND_FEATURE_USER}::UTINYINT, product_id, user_hash, nid, day, min(ts), arg_min(seg, (ts, seg))
    FROM ab_ev WHERE type = 'feature_used' AND nid IS NOT NULL GROUP BY product_id, user_hash, nid, day
    UNION ALL
    SELECT ${KIND_SCOPE_USER}::UTINYINT, product_id, user_hash, key, day, min(ts), arg_min(seg, (ts, seg))
    FROM (SELECT product_id, user_hash, day, ts, seg, unnest([v_app_version, v_os, v_country, v_license_type]) AS key
          FROM (SELECT product_id, user_hash, day, seg, v_app_version, v_os, v_country, v_license_type, min(ts) AS ts
                FROM ab_ev GROUP BY ALL))
    GROUP BY product_id, user_hash, key, day
    UNION ALL
    SELECT ${KIND_SESSION}::UTINYINT, product_id, sh, seg, day, ts, seg FROM ab_sessions
    UNION ALL
    SELECT ${KIND_CRASHED_SESSION}::UTINYINT, product_id, sh, seg, day, ts, seg FROM ab_sessions WHERE crashed`);
}

/**
 * Applies the difference between the old and new day lists in `oc_lists` (sign -1 / +1) of the
 * entities in `oc_touch` (old_ts/old_seg → new_ts/new_seg) to the occ_* cells, cohort_cells,
 * first_use_cells and state_entity. Shared by the batch fold and the rebuild.
 */
export async function foldListDeltas(sql: Sql): Promise<void> {
  // Each list element with its predecessor (a1, its segment s1) and the one before (a2).
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_w AS
    SELECT *, lag(day) OVER w AS a1, lag(seg) OVER w AS s1, lag(day, 2) OVER w AS a2
    FROM oc_lists WINDOW w AS ${ENTITY_WINDOW}`);
  await mergeCells(
    sql,
    (kinds) => `SELECT kind, product_id, id, key, seg, 1::UTINYINT AS arity, day AS a, day AS b, sign AS w FROM oc_w WHERE ${kinds}
       UNION ALL SELECT kind, product_id, id, key, seg, 2::UTINYINT, a1, day, sign FROM oc_w WHERE a1 IS NOT NULL AND ${kinds}
       UNION ALL SELECT kind, product_id, id, key, seg, 3::UTINYINT, a2, day, sign FROM oc_w WHERE a2 IS NOT NULL AND kind IN (${TRIPLE_KINDS}) AND ${kinds}`,
  );

  // A user counts once per (cohort, period): distinct per list before summing the signs. The cohort
  // (and its segment) may differ between the two lists when a late event moved the first event.
  await mergeSum(
    sql,
    'cohort_cells',
    ['kind', 'key', 'seg', 'g', 'cohort', 'period'],
    ['users'],
    `SELECT kind, key, seg, g, cohort, period, sum(sign)::BIGINT AS users FROM (
       SELECT DISTINCT l.kind, l.key, l.product_id, l.id, l.sign, g.g,
              ${COHORT_SEG('l.kind', 'CASE WHEN l.sign < 0 THEN t.old_seg ELSE t.new_seg END', 'l.product_id')} AS seg,
              ${periodStartSql('g.g', 'CAST(CASE WHEN l.sign < 0 THEN t.old_ts ELSE t.new_ts END AS DATE)')} AS cohort,
              ${periodStartSql('g.g', 'l.day')} AS period
       FROM oc_lists l JOIN oc_touch t USING (${ENTITY}), (VALUES (0), (1), (2)) AS g(g)
       WHERE l.kind IN (${KIND_USER}, ${KIND_SCOPE_USER}))
     GROUP BY ALL HAVING sum(sign) <> 0`,
  );

  await mergeFirstUses(
    sql,
    `SELECT seg, fid, day, sum(sign)::BIGINT AS users FROM (
       SELECT old_seg AS seg, key AS fid, CAST(old_ts AS DATE) AS day, -1 AS sign
       FROM oc_touch WHERE kind = ${KIND_FEATURE_USER} AND first_changed AND old_ts IS NOT NULL
       UNION ALL
       SELECT new_seg, key, CAST(new_ts AS DATE), 1 FROM oc_touch
       WHERE kind = ${KIND_FEATURE_USER} AND first_changed AND new_ts IS NOT NULL)
     GROUP BY ALL HAVING sum(sign) <> 0`,
  );

  // New summaries; an entity whose new list is empty (rebuild only) disappears.
  await sql.run(`MERGE INTO state_entity s USING (
      SELECT t.kind, t.product_id, t.id, t.key, t.new_ts, t.new_seg,
             l.top[1].day AS last1, l.top[1].seg AS last1_seg, l.top[2].day AS last2, l.top[2].seg AS last2_seg
      FROM oc_touch t
      LEFT JOIN (SELECT ${ENTITY}, arg_max({'day': day, 'seg': seg}, day, 2) AS top FROM oc_lists WHERE sign > 0 GROUP BY ALL) l
        USING (${ENTITY})) n
    ON s.kind = n.kind AND s.product_id = n.product_id AND s.id = n.id AND s.key = n.key
    WHEN MATCHED AND n.new_ts IS NULL THEN DELETE
    WHEN MATCHED THEN UPDATE SET first_ts = n.new_ts, first_seg = n.new_seg, last1 = n.last1, last1_seg = n.last1_seg,
      last2 = n.last2, last2_seg = n.last2_seg
    WHEN NOT MATCHED AND n.new_ts IS NOT NULL THEN INSERT VALUES
      (n.kind, n.product_id, n.id, n.key, n.new_ts, n.new_seg, n.last1, n.last1_seg, n.last2, n.last2_seg, false)`);
}

/**
 * Adds first-use counts (`source`: rows seg, fid, day, users) to first_use_cells and, summed per
 * scope (tables.ts scopeKeysSql), to first_use_scopes.
 */
async function mergeFirstUses(sql: Sql, source: string): Promise<void> {
  await sql.run(`CREATE OR REPLACE TEMP TABLE oc_fu AS ${source}`);
  await mergeSum(sql, 'first_use_cells', ['seg', 'fid', 'day'], ['users'], `SELECT seg, fid, day, users FROM oc_fu`);
  await mergeSum(
    sql,
    'first_use_scopes',
    ['key', 'fid', 'day'],
    ['users'],
    `SELECT k.key, u.fid, u.day, sum(u.users)::BIGINT AS users FROM oc_fu u JOIN (${scopeKeysSql()}) k USING (seg) GROUP BY ALL`,
  );
}

/**
 * Adds cells to their tables (OCC_TABLE): one MERGE per table, from `rows(kindCondition)` — cell rows
 * (kind, product_id, id, key, seg, arity, a, b, w: +1 or −1) restricted to the table's kinds, so each
 * group is computed once and merged against its own table — and their sums over b to occ_suffix. The kind-6 table also takes the kind-2
 * rows of pure (user, feature) pairs under their values (feature-scopes.ts).
 */
async function mergeCells(sql: Sql, rows: (kinds: string) => string): Promise<void> {
  for (const table of OCC_TABLES) {
    const source =
      table === OCC_TABLE[KIND_SCOPE_FEATURE_USER]
        ? `SELECT kind, product_id, key, arity, a, b, w FROM (${rows(occKindsSql(table))})
           UNION ALL ${derivedScopeCells(rows(`kind = ${KIND_FEATURE_USER}`))}`
        : `SELECT kind, product_id, key, arity, a, b, w FROM (${rows(occKindsSql(table))})`;
    await sql.run(`CREATE OR REPLACE TEMP TABLE oc_cells AS
      SELECT kind, product_id, key, arity, a, b, sum(w)::BIGINT AS n FROM (${source}) GROUP BY ALL HAVING sum(w) <> 0`);
    await mergeSum(sql, table, ['kind', 'product_id', 'key', 'arity', 'a', 'b'], ['n'], `SELECT * FROM oc_cells`);
    await mergeSum(
      sql,
      'occ_suffix',
      ['kind', 'product_id', 'key', 'arity', 'a'],
      ['n'],
      `SELECT kind, product_id, key, arity, a, sum(n)::BIGINT AS n FROM oc_cells WHERE kind IN (${SUFFIX_KINDS})
       GROUP BY ALL HAVING sum(n) <> 0`,
    );
  }
}

/**
 * Repeat witnesses for feature adoption under segment filters: a consecutive pair of use days (a, b)
 * of a user, recorded as a HyperLogLog row (day = b, prev_day = a, seg, prev_seg) — the segments of
 * the user's earliest event on each day as first loaded. A query counts the users with a witness
 * inside the range whose two segments both match the filter.
 * `added`: the pairs the new lists (sign +1) have and the old ones had not (batch fold);
 * `rebuilt`: every pair of the new lists that ends on a rebuilt day (rb_days).
 */
export async function foldRepeatWitnesses(sql: Sql, which: 'added' | 'rebuilt'): Promise<void> {
  const pairs = (sign: number): string =>
    `SELECT ${ENTITY}, a1 AS a, s1 AS sa, day AS b, seg AS sb FROM oc_w
     WHERE kind = ${KIND_FEATURE_USER} AND sign = ${sign} AND a1 IS NOT NULL`;
  const chosen =
    which === 'added' ? `${pairs(1)} EXCEPT ${pairs(-1)}` : `SELECT * FROM (${pairs(1)}) WHERE b IN (SELECT day FROM rb_days)`;
  const hash = userHashSql('p.product_id', 'p.id');
  await mergeMaxRows(
    sql,
    'hll_feature_repeat',
    ['day', 'prev_day', 'seg', 'prev_seg', 'fid'],
    `SELECT p.b AS day, p.a AS prev_day, p.sb AS seg, p.sa AS prev_seg, p.key AS fid,
            ${hllRegSql(hash)} AS reg, max(${hllRhoSql(hash)}) AS rho
     FROM (${chosen}) p GROUP BY ALL`,
  );
}
