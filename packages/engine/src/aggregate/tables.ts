import type { Sql } from '../storage/duck.ts';

/** Exact cell tables (occurrences.ts): feature cells apart from the others (OCC_TABLE below). */
export const OCC_TABLES = ['occ_cells', 'occ_features', 'occ_feature_scopes'] as const;

/**
 * Every table the aggregates own, in three groups (AGGREGATES.md explains each):
 *
 * 1. Aggregates — anonymous, keyed by day and segment, never pruned by retention. APPROXIMATE answers
 *    come from these alone.
 * 2. Per-entity state — keyed by hashed ids, read only while folding a batch, pruned by
 *    `pruneUserState` to entities seen within the storage duration.
 * 3. Dictionaries and the version counter.
 *
 * A segment is one combination of (product, app version, OS, country, license type); `seg` ids are
 * assigned on first sight and never reused, so a query resolves any SegmentFilter or breakdown to a set
 * of ids once.
 */
const DDL: readonly string[] = [
  // --- dictionaries and version
  `CREATE TABLE IF NOT EXISTS agg_meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)`,
  /** Each segment with its four non-product attribute values and their agg_dim_value ids. */
  `CREATE TABLE IF NOT EXISTS agg_segment (
     seg INTEGER PRIMARY KEY, product_id VARCHAR NOT NULL, app_version VARCHAR, os VARCHAR, country VARCHAR, license_type VARCHAR,
     v_app_version INTEGER, v_os INTEGER, v_country INTEGER, v_license_type INTEGER)`,
  /** One id per (dimension column, value): the key of per-value user scopes (kind 3). */
  `CREATE TABLE IF NOT EXISTS agg_dim_value (id INTEGER PRIMARY KEY, dim VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
  /** Feature names and performance metric names share one dictionary. */
  `CREATE TABLE IF NOT EXISTS agg_name (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE)`,

  // --- aggregates: exact counts
  `CREATE TABLE IF NOT EXISTS agg_day (
     day DATE NOT NULL, seg INTEGER NOT NULL, events BIGINT NOT NULL, crashes BIGINT NOT NULL,
     feature_uses BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS agg_feature_day (
     day DATE NOT NULL, seg INTEGER NOT NULL, fid INTEGER NOT NULL, uses BIGINT NOT NULL)`,

  // --- aggregates: HyperLogLog registers per (day, segment[, feature]) — see hll.ts
  `CREATE TABLE IF NOT EXISTS hll_users (day DATE NOT NULL, seg INTEGER NOT NULL, reg USMALLINT NOT NULL, rho UTINYINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS hll_crash_users (day DATE NOT NULL, seg INTEGER NOT NULL, reg USMALLINT NOT NULL, rho UTINYINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS hll_feature_users (
     day DATE NOT NULL, seg INTEGER NOT NULL, fid INTEGER NOT NULL, reg USMALLINT NOT NULL, rho UTINYINT NOT NULL)`,
  /**
   * Repeat witnesses: a user used the feature on `day` (in segment `seg`) and, as its previous use
   * day, on `prev_day` (in `prev_seg`).
   */
  `CREATE TABLE IF NOT EXISTS hll_feature_repeat (
     day DATE NOT NULL, prev_day DATE NOT NULL, seg INTEGER NOT NULL, prev_seg INTEGER NOT NULL, fid INTEGER NOT NULL,
     reg USMALLINT NOT NULL, rho UTINYINT NOT NULL)`,

  // --- aggregates: DDSketch buckets of performance values — see ddsketch.ts
  `CREATE TABLE IF NOT EXISTS dd_latency (
     day DATE NOT NULL, seg INTEGER NOT NULL, mid INTEGER NOT NULL, bucket INTEGER NOT NULL, n BIGINT NOT NULL)`,

  // --- aggregates: exact cells derived from per-entity state (occurrences.ts)
  /**
   * Per product and entity kind (see KIND_*; key = feature id, dimension value id or segment):
   * arity 1: entities active on day a (= b); arity 2: consecutive active days (a, b) of one entity;
   * arity 3: consecutive triples, keyed by their outer days (a, b). Distinct entities over [x, y] =
   * Σ arity1 − Σ arity2 inside [x, y]; entities active on ≥ 2 days = Σ arity2 − Σ arity3.
   * The cells of features (kind 2, three quarters of all cells) and of features within a scope (kind 6)
   * have tables of their own (OCC_TABLE): rows are laid down batch by batch, so in one table every
   * kind's scan would read them all.
   */
  ...OCC_TABLES.map(occTableDdl),
  /**
   * The cells of SUFFIX_KINDS summed over b: for a range [x, y] reaching the latest stored day
   * (agg_meta MAX_DAY), the cells inside it are exactly those with a >= x — a few rows per key and
   * day instead of one per (a, b) pair.
   */
  `CREATE TABLE IF NOT EXISTS occ_suffix (
     kind UTINYINT NOT NULL, product_id VARCHAR NOT NULL, key INTEGER NOT NULL, arity UTINYINT NOT NULL, a DATE NOT NULL,
     n BIGINT NOT NULL)`,
  /**
   * Users of a cohort (first-seen period) active in a period, per granularity: for kind 1 over all
   * events of the product, `seg` being the segment of the user's first event; for kind 3 over the
   * events with one dimension value (key), `seg` standing for the product only (its lowest segment id).
   */
  `CREATE TABLE IF NOT EXISTS cohort_cells (
     kind UTINYINT NOT NULL, key INTEGER NOT NULL, seg INTEGER NOT NULL, g UTINYINT NOT NULL, cohort DATE NOT NULL,
     period DATE NOT NULL, users BIGINT NOT NULL)`,
  /** Users whose first-ever use of a feature fell on `day`, by the segment of that first use. */
  `CREATE TABLE IF NOT EXISTS first_use_cells (
     seg INTEGER NOT NULL, fid INTEGER NOT NULL, day DATE NOT NULL, users BIGINT NOT NULL)`,
  /** first_use_cells summed per scope (key as in scope_sums): a scope's few rows a day, not every segment's. */
  `CREATE TABLE IF NOT EXISTS first_use_scopes (
     key INTEGER NOT NULL, fid INTEGER NOT NULL, day DATE NOT NULL, users BIGINT NOT NULL)`,

  // --- aggregates: scope rollups (fold-scopes.ts) — feature uses and latency buckets per scope
  /**
   * agg_feature_day (what = SCOPE_FEATURE_USES, bucket 0) and dd_latency (what = SCOPE_LATENCY) summed
   * per scope instead of segment. A scope key is 0 (all events) or the agg_dim_value id of one value
   * of a SCOPE_SUM_DIMENSIONS dimension (the events with that value). Every event is in key 0 and in
   * one value key per dimension, so no filter, or a filter on one of them and a breakdown by it, sum a
   * few rows a day exactly instead of joining thousands of segments. One table (one MERGE a batch).
   */
  `CREATE TABLE IF NOT EXISTS scope_sums (
     day DATE NOT NULL, key INTEGER NOT NULL, what UTINYINT NOT NULL, nid INTEGER NOT NULL, bucket INTEGER NOT NULL, n BIGINT NOT NULL)`,

  // --- per-entity state: consulted only while folding a batch; pruned by pruneUserState
  /**
   * One row per entity (KIND_*): the first event (timestamp and its segment) and the two latest active
   * days with their segments. `id` is the user pseudonym, or the session hash for sessions. `mixed`
   * (kind 2): the pair's kind-6 entities are kept apart (feature-scopes.ts).
   */
  `CREATE TABLE IF NOT EXISTS state_entity (
     kind UTINYINT NOT NULL, product_id VARCHAR NOT NULL, id UBIGINT NOT NULL, key INTEGER NOT NULL,
     first_ts TIMESTAMP NOT NULL, first_seg INTEGER NOT NULL, last1 DATE NOT NULL, last1_seg INTEGER NOT NULL,
     last2 DATE, last2_seg INTEGER, mixed BOOLEAN NOT NULL DEFAULT false)`,
  /**
   * Active days of each entity, with the segment of its earliest event that day as first loaded (for
   * late events that land between known days).
   */
  `CREATE TABLE IF NOT EXISTS state_days (
     kind UTINYINT NOT NULL, product_id VARCHAR NOT NULL, id UBIGINT NOT NULL, key INTEGER NOT NULL, day DATE NOT NULL,
     seg INTEGER NOT NULL)`,
];

/** Aggregate tables: kept forever, hold no per-entity rows. */
export const AGGREGATE_TABLES = [
  'agg_segment',
  'agg_dim_value',
  'agg_name',
  'agg_day',
  'agg_feature_day',
  'hll_users',
  'hll_crash_users',
  'hll_feature_users',
  'hll_feature_repeat',
  'dd_latency',
  'occ_cells',
  'occ_features',
  'occ_feature_scopes',
  'occ_suffix',
  'cohort_cells',
  'first_use_cells',
  'first_use_scopes',
  'scope_sums',
] as const;

/** Per-entity state tables (pruned). */
export const STATE_TABLES = ['state_entity', 'state_days'] as const;

export async function createAggregateTables(sql: Sql): Promise<void> {
  const existing = new Set(
    (await sql.all<{ t: string }>(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary`)).map((r) => r.t),
  );
  // One transaction: a crash leaves the old layout or the migrated one, never new tables left empty.
  await sql.transaction(async () => {
    for (const ddl of DDL) await sql.run(ddl);
    await migrateAggregateTables(sql, existing);
  });
  await sql.run(
    `INSERT OR IGNORE INTO agg_meta VALUES ('version', 0), ('max_seg', 0), ('max_name', 0), ('max_dim_value', 0), ('${FEATURE_SCOPE_FROM}', 0)`,
  );
  await sql.run(`INSERT OR IGNORE INTO agg_meta SELECT '${MAX_DAY}', coalesce(max(day) - DATE '1970-01-01', 0) FROM agg_day`);
  // The dictionaries' high-water marks, in case a store predates them (queries read only agg_meta).
  await sql.run(`UPDATE agg_meta SET value = CASE key
      WHEN 'max_seg' THEN (SELECT coalesce(max(seg), 0) FROM agg_segment)
      WHEN 'max_name' THEN (SELECT coalesce(max(id), 0) FROM agg_name)
      WHEN 'max_dim_value' THEN (SELECT coalesce(max(id), 0) FROM agg_dim_value)
      ELSE value END`);
}

/** agg_meta key: the latest day (days since 1970-01-01) of any event folded; no cell ends later. */
export const MAX_DAY = 'max_day';

/**
 * agg_meta key: the first day (days since 1970-01-01) from which kind-6 cells are complete. 0 for a
 * store created with them; for an older store, the day after the latest day it had loaded when it
 * was migrated (KIND_SCOPE_FEATURE_USER is counted from the events loaded since): queries over
 * earlier days use sketches.
 */
export const FEATURE_SCOPE_FROM = 'feature_scope_from';

/**
 * Stores written before occ_features and scope_sums: move the feature cells out of occ_cells (a
 * rewritten occ_cells, so its scans no longer skip over them) and derive scope_sums from the tables
 * it summarizes (exact sums: answers do not change); date kind-6 cells (FEATURE_SCOPE_FROM). Runs
 * once, when a table is first created.
 */
async function migrateAggregateTables(sql: Sql, existing: ReadonlySet<string>): Promise<void> {
  if (existing.has('occ_cells') && !existing.has('occ_features')) {
    await sql.run(`INSERT INTO occ_features SELECT * FROM occ_cells WHERE ${occKindsSql('occ_features')}`);
    await sql.run(`CREATE TEMP TABLE occ_rest AS SELECT * FROM occ_cells WHERE ${occKindsSql('occ_cells')}`);
    await sql.run(`DROP TABLE occ_cells`);
    await sql.run(occTableDdl('occ_cells'));
    await sql.run(`INSERT INTO occ_cells SELECT * FROM occ_rest`);
    await sql.run(`DROP TABLE occ_rest`);
  }
  if (existing.has('state_entity') && !(await hasColumn(sql, 'state_entity', 'mixed'))) {
    // Their past values are unknown: every stored (user, feature) keeps its kind-6 entities apart.
    await sql.run(`ALTER TABLE state_entity ADD COLUMN mixed BOOLEAN DEFAULT true`);
    await sql.run(`ALTER TABLE state_entity ALTER COLUMN mixed SET DEFAULT false`);
  }
  if (existing.has('occ_cells') && !existing.has('occ_feature_scopes')) {
    // Kind-6 entities start empty: their cells are complete for days no event of which was loaded yet.
    await sql.run(`INSERT OR REPLACE INTO agg_meta
      SELECT '${FEATURE_SCOPE_FROM}', coalesce(max(day) - DATE '1970-01-01' + 1, 0) FROM agg_day`);
  }
  if (existing.has('occ_cells') && !existing.has('occ_suffix')) {
    for (const table of OCC_TABLES) {
      await sql.run(`INSERT INTO occ_suffix SELECT kind, product_id, key, arity, a, sum(n) FROM ${table}
        WHERE kind IN (${SUFFIX_KINDS}) GROUP BY ALL HAVING sum(n) <> 0`);
    }
  }
  if (existing.has('first_use_cells') && !existing.has('first_use_scopes')) {
    await sql.run(`INSERT INTO first_use_scopes
      SELECT k.key, u.fid, u.day, sum(u.users) FROM first_use_cells u JOIN (${scopeKeysSql()}) k USING (seg) GROUP BY ALL`);
  }
  if (!existing.has('scope_sums')) {
    const keys = scopeKeysSql();
    await sql.run(`INSERT INTO scope_sums
      SELECT f.day, k.key, ${SCOPE_FEATURE_USES}, f.fid, 0, sum(f.uses) FROM agg_feature_day f JOIN (${keys}) k USING (seg) GROUP BY ALL
      UNION ALL
      SELECT d.day, k.key, ${SCOPE_LATENCY}, d.mid, d.bucket, sum(d.n) FROM dd_latency d JOIN (${keys}) k USING (seg) GROUP BY ALL`);
  }
}

async function hasColumn(sql: Sql, table: string, column: string): Promise<boolean> {
  const row = await sql.one<{ n: number }>(
    `SELECT count(*) AS n FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * The dimensions with scope_sums rows: the few-valued ones dashboards filter and break down by. Each
 * one adds its rows to every batch's fold and to every scope query's scan, so not country (18 values
 * here, ~200 in the world: most of the rows), nor app versions and products (their filters sum
 * segments, as two-dimension filters do).
 */
export const SCOPE_SUM_DIMENSIONS = ['os', 'license_type'] as const;

/** scope_sums.what: feature uses (nid = feature id) and latency buckets (nid = metric id). */
export const SCOPE_FEATURE_USES = 0;
export const SCOPE_LATENCY = 1;

/** SQL: every segment's scope keys, rows (seg, key): 0 and the value ids (agg_segment.v_*) of its SCOPE_SUM_DIMENSIONS. */
export function scopeKeysSql(): string {
  return `SELECT seg, unnest([0, ${SCOPE_SUM_DIMENSIONS.map((d) => `v_${d}`).join(', ')}]) AS key FROM agg_segment`;
}

/**
 * Kinds of entities in the occ_* tables / state_* / cohort_cells. An entity is counted once per product
 * (users belong to one product), so product-level sums of its cells are exact.
 */
/** A user, over all its events (key 0). */
export const KIND_USER = 1;
/** A user's uses of one feature (key = feature id). */
export const KIND_FEATURE_USER = 2;
/** A user, over its events with one dimension value (key = agg_dim_value id). */
export const KIND_SCOPE_USER = 3;
/** A session, per segment (key = seg): a session lives in one segment, so segments add up. */
export const KIND_SESSION = 4;
/** A session's days with a crash, per segment (key = seg). */
export const KIND_CRASHED_SESSION = 5;

/**
 * A user's uses of one feature in the events with one value of a SCOPE_SUM_DIMENSIONS dimension
 * (key = featureScopeKey(value id, feature id)): feature adoption filtered to one OS or license type,
 * counted exactly like kind 2.
 */
export const KIND_SCOPE_FEATURE_USER = 6;

/** Kinds whose cells are also summed per first day (occ_suffix): the ones featureAdoption reads. */
export const SUFFIX_KINDS = [KIND_USER, KIND_FEATURE_USER, KIND_SCOPE_USER, KIND_SCOPE_FEATURE_USER] as const;

/** Kinds whose cells include arity 3 (users with ≥ 2 days: repeat adopters). */
export const TRIPLE_KINDS = [KIND_FEATURE_USER, KIND_SCOPE_FEATURE_USER] as const;

/** Kind 6 keys: the dimension value id above FEATURE_SCOPE_BITS bits of feature id. */
export const FEATURE_SCOPE_BITS = 16;
/** Feature ids and dimension value ids beyond these have no kind-6 entities (queries fall back to sketches). */
export const MAX_FEATURE_SCOPE_FID = (1 << FEATURE_SCOPE_BITS) - 1;
export const MAX_FEATURE_SCOPE_VALUE = (1 << (31 - FEATURE_SCOPE_BITS)) - 1;

export function featureScopeKey(valueId: number, fid: number): number {
  return valueId * (1 << FEATURE_SCOPE_BITS) + fid;
}

/** The cell table of each kind (see the DDL): feature cells apart, the others together. */
export const OCC_TABLE: Readonly<Record<number, (typeof OCC_TABLES)[number]>> = {
  [KIND_USER]: 'occ_cells',
  [KIND_FEATURE_USER]: 'occ_features',
  [KIND_SCOPE_FEATURE_USER]: 'occ_feature_scopes',
  [KIND_SCOPE_USER]: 'occ_cells',
  [KIND_SESSION]: 'occ_cells',
  [KIND_CRASHED_SESSION]: 'occ_cells',
};

/** SQL: the condition on `kind` that selects the cells stored in `table` (OCC_TABLE). */
export function occKindsSql(table: (typeof OCC_TABLES)[number]): string {
  const kinds = Object.entries(OCC_TABLE).filter(([, t]) => t === table).map(([kind]) => kind);
  return `kind IN (${kinds.join(', ')})`;
}

function occTableDdl(table: (typeof OCC_TABLES)[number]): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
     kind UTINYINT NOT NULL, product_id VARCHAR NOT NULL, key INTEGER NOT NULL, arity UTINYINT NOT NULL,
     a DATE NOT NULL, b DATE NOT NULL, n BIGINT NOT NULL)`;
}

/** The dimension columns that have per-value user scopes (kind 3), in agg_segment's v_* order. */
export const SCOPE_DIMENSIONS = ['app_version', 'os', 'country', 'license_type'] as const;
