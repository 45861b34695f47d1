import type { DuckDBValue } from '@duckdb/node-api';
import type { Day, FeatureAdoption, FeatureAdoptionArgs } from '@telemetry/schema';
import { dayFromIndex, dayIndex } from '../aggregate/periods.ts';
import {
  featureScopeKey,
  KIND_FEATURE_USER,
  KIND_SCOPE_FEATURE_USER,
  KIND_USER,
  MAX_FEATURE_SCOPE_FID,
  MAX_FEATURE_SCOPE_VALUE,
  OCC_TABLE,
  SCOPE_FEATURE_USES,
} from '../aggregate/tables.ts';
import type { Sql } from '../storage/duck.ts';
import { type CommonArgs, checkCommon, checkFeatures } from './args.ts';
import { cached } from './cache.ts';
import { doubles, ints, queryColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { MAX_PACKED_KEY, packedRegisterSql, unionPackedKeys, unionRegisters } from './hll-union.ts';
import { memberList } from './list-param.ts';
import { rawFilterSql, withRawEvents } from './raw-events.ts';
import { planScopeKeys, scopeJoin } from './scope-keys.ts';
import { type Catalog, readCatalog, segJoin, segPredicate, type Selection, selectSegments } from './segments.ts';
import { planUserScopes } from './user-scopes.ts';

/**
 * Feature adoption over the range, one entry per feature (the `features` asked for, or every feature
 * used in the range), sorted by name. Features never used (under the filter) are left out: they have
 * no firstSeen.
 *
 * APPROXIMATE, with no filter or a products-only filter: exact from per-product cells (activeUsers,
 * adopters, repeatAdopters) and the first-use histogram. With one OS or license type (and perhaps
 * products): exact per-scope cells (kinds 3 and 6). With any other filter: adopters are
 * HyperLogLog unions of the range, activeUsers too unless one dimension value is filtered (then its
 * exact scope cells); repeatAdopters counts users with a repeat witness
 * (two consecutive use days, both in the range and both in selected segments); the median uses
 * first-ever uses (per product) whose event is in a selected segment. AGGREGATES.md gives the errors.
 *
 * @example
 * await featureAdoption(ctx, { range: { from: '2026-10-01', to: '2026-10-31' }, features: ['export_pdf'] })
 * // [{ feature: 'export_pdf', activeUsers: 5120, adopters: 812, adoptionRate: 0.159, uses: 4410,
 * //    repeatAdopters: 390, firstSeen: '2026-09-14', medianDaysToFirstUse: 9 }]
 */
export async function featureAdoption(ctx: QueryContext, args: FeatureAdoptionArgs): Promise<FeatureAdoption[]> {
  const a = checkCommon({ ...args, breakdownBy: null });
  const features = checkFeatures(args.features);
  if (a.precision === 'EXACT') return exactFeatureAdoption(ctx, a, features);
  return ctx.pool.use(async (sql) => {
    const catalog = await readCatalog(ctx.pool, sql);
    return cached(ctx.pool, catalog.version, ['featureAdoption', a, features], () => approxFeatureAdoption(sql, catalog, a, features));
  });
}

/** Row tags of the aggregated statement (column t). */
const T_USES = 0;
const T_EARLY = 1;
const T_FIRST_DAY = 2;
const T_FIRST_USE = 3;
const T_CELLS = 4;
const T_SCOPE_USERS = 5;
const T_SCOPE_CELLS = 6;
/** Days after the first stored feature day that the first-seen look-up reads before falling back. */
const EARLY_DAYS = 7;

/**
 * Two statements at most (plus a rare third): the aggregated one (uses and first-seen days, first-use
 * histograms, exact cell sums), and for segment filters the register rows of adopters, repeat
 * witnesses and (without an exact scope) active users, merged in JS (hll-union.ts).
 *
 * firstSeen is the first day over all history (under the filter). Instead of scanning every stored
 * day, the aggregated statement reads the range and the first EARLY_DAYS days of storage (rows are
 * laid down day by day, so both prune by zone maps); a feature absent from those early days while
 * earlier days of the range's past exist (released later, or rare under the filter) is looked up over
 * all history in a third statement.
 */
async function approxFeatureAdoption(sql: Sql, catalog: Catalog, a: CommonArgs, features: string[] | null): Promise<FeatureAdoption[]> {
  const sel = selectSegments(catalog, a.filter, null);
  if (sel.segs.length === 0) return [];
  const wanted = features ? features.map((f) => catalog.nameToId.get(f)).filter((id): id is number => id !== undefined) : null;
  if (wanted && wanted.length === 0) return [];
  const from = dayIndex(a.range.from);
  const to = dayIndex(a.range.to);
  const scopes = sel.productLevel ? null : planUserScopes(catalog, a.filter, null, sel);
  const scope = scopes?.groups[0] ?? null;
  const featureScope = scope ? featureScopeOf(catalog, a, wanted) : null;
  // Uses, first-seen days and first uses: per scope when the filter constrains one dimension (or
  // none), per segment otherwise (scope-keys.ts; the same sums). The first stored day
  // is agg_feature_day's (scope_sums has a row of that day too, and min() reads one narrow column).
  const scopeKeys = planScopeKeys(catalog, a.filter, null, sel);
  const usesJoin = scopeKeys ? scopeJoin(scopeKeys, 'f.key') : segJoin(sel, 'f.seg');
  const usesTable = scopeKeys ? `(SELECT day, key, nid AS fid, n AS uses FROM scope_sums WHERE what = ${SCOPE_FEATURE_USES})` : 'agg_feature_day';
  const usesFrom = `${usesTable} f${usesJoin.sql}`;
  const fidIn = wanted ? ' AND f.fid IN (SELECT unnest($fids::INTEGER[]))' : '';
  const cellRange = 'a >= $from::DATE AND b <= $to::DATE AND b >= $from::DATE AND a <= $to::DATE';
  // A range reaching the latest stored day holds exactly the cells starting in it: their sums over b.
  const suffix = to >= catalog.maxDay;
  const cells = (table: string) => (suffix ? { from: 'occ_suffix', where: 'a >= $from::DATE' } : { from: table, where: cellRange });
  const parts = [
    `SELECT ${T_USES} AS t, fid AS x, 0 AS y, ${DAY_SQL('min(f.day)')} AS z, sum(uses)::DOUBLE AS v
     FROM ${usesFrom} WHERE f.day BETWEEN $from::DATE AND $to::DATE${fidIn} GROUP BY fid`,
    `SELECT ${T_EARLY}, fid, 0, ${DAY_SQL('min(f.day)')}, 0
     FROM ${usesFrom}
     WHERE f.day < least($from::DATE, (SELECT min(day) FROM agg_feature_day) + ${EARLY_DAYS})${fidIn} GROUP BY fid`,
    `SELECT ${T_FIRST_DAY}, 0, 0, coalesce(${DAY_SQL('(SELECT min(day) FROM agg_feature_day)')}, 0), 0`,
    `SELECT ${T_FIRST_USE}, fid, ${DAY_SQL('f.day')}, 0, sum(users)::DOUBLE
     FROM ${scopeKeys ? 'first_use_scopes' : 'first_use_cells'} f${usesJoin.sql}
     WHERE f.day BETWEEN $from::DATE AND $to::DATE${fidIn} GROUP BY fid, f.day`,
  ];
  const params: Record<string, DuckDBValue> = {
    from: a.range.from,
    to: a.range.to,
    ...usesJoin.params,
    ...(wanted ? { fids: memberList(wanted, 'int') } : {}),
  };
  if (sel.productLevel) {
    const products = sel.all ? '' : ' AND product_id IN (SELECT unnest($products::VARCHAR[]))';
    const [u, fu] = [cells(OCC_TABLE[KIND_USER]), cells(OCC_TABLE[KIND_FEATURE_USER])];
    parts.push(`SELECT ${T_CELLS}, kind::INTEGER, key, arity::INTEGER, sum(n)::DOUBLE FROM (
        SELECT kind, key, arity, n FROM ${u.from} WHERE kind = ${KIND_USER} AND ${u.where}${products}
        UNION ALL SELECT kind, key, arity, n FROM ${fu.from} WHERE kind = ${KIND_FEATURE_USER} AND ${fu.where}${products})
      GROUP BY kind, key, arity`);
    if (!sel.all) params.products = memberList(sel.products, 'text');
  } else if (scope) {
    const su = cells(OCC_TABLE[scopes!.kind]);
    parts.push(`SELECT ${T_SCOPE_USERS}, 0, 0, 0, coalesce(sum(CASE WHEN arity = 1 THEN n ELSE -n END), 0)::DOUBLE FROM ${su.from}
      WHERE kind = $skind AND key = $skey AND arity <= 2 AND ${su.where}
        ${scope.products ? 'AND product_id IN (SELECT unnest($sproducts::VARCHAR[]))' : ''}`);
    params.skind = scopes!.kind;
    params.skey = scope.key;
    if (scope.products) params.sproducts = memberList(scope.products, 'text');
    if (featureScope !== null) {
      const fs = cells(OCC_TABLE[KIND_SCOPE_FEATURE_USER]);
      parts.push(`SELECT ${T_SCOPE_CELLS}, key & ${MAX_FEATURE_SCOPE_FID}, arity::INTEGER, 0, sum(n)::DOUBLE
        FROM ${fs.from}
        WHERE kind = ${KIND_SCOPE_FEATURE_USER} AND key BETWEEN $fskey AND $fskey + ${MAX_FEATURE_SCOPE_FID} AND ${fs.where}
          ${scope.products ? 'AND product_id IN (SELECT unnest($sproducts::VARCHAR[]))' : ''}
        GROUP BY key, arity`);
      params.fskey = featureScopeKey(featureScope, 0);
    }
  }
  const agg = await queryColumns(sql, parts.join('\nUNION ALL\n'), params, [4]);
  const [t, x, y, z] = [0, 1, 2, 3].map((i) => ints(agg.cols, i));
  const v = doubles(agg.cols, 4);

  const uses = new Map<number, number>();
  const rangeFirst = new Map<number, number>();
  const earlyFirst = new Map<number, number>();
  let firstDay = 0;
  for (let i = 0; i < agg.rows; i++) {
    if (t[i] === T_USES) {
      uses.set(x[i], v[i]);
      rangeFirst.set(x[i], z[i]);
    } else if (t[i] === T_EARLY) earlyFirst.set(x[i], z[i]);
    else if (t[i] === T_FIRST_DAY) firstDay = z[i];
  }
  // First-seen days: from the early days when found there; from the range when nothing lies between
  // the early days and the range; otherwise over all history.
  const gap = from > firstDay + EARLY_DAYS;
  const candidates = wanted ?? [...uses.keys()];
  const firstSeen = new Map<number, number>();
  const missing: number[] = [];
  for (const fid of candidates) {
    const early = earlyFirst.get(fid);
    if (early !== undefined) firstSeen.set(fid, early);
    else if (!gap && rangeFirst.has(fid)) firstSeen.set(fid, rangeFirst.get(fid)!);
    else missing.push(fid);
  }
  if (missing.length > 0) {
    const rest = await queryColumns(
      sql,
      `SELECT fid, ${DAY_SQL('min(f.day)')} FROM ${usesFrom} WHERE f.fid IN (SELECT unnest($missing::INTEGER[])) GROUP BY fid`,
      { missing: memberList(missing, 'int'), ...usesJoin.params },
    );
    const [fid, day] = [0, 1].map((i) => ints(rest.cols, i));
    for (let i = 0; i < rest.rows; i++) firstSeen.set(fid[i], day[i]);
  }
  // A feature is reported when it has any use under the filter (wanted) or a use in the range.
  const fids = candidates.filter((fid) => firstSeen.has(fid)).sort((p, q) => byName(catalog.idToName.get(p)!, catalog.idToName.get(q)!));
  if (fids.length === 0) return [];

  let activeUsers = 0;
  const adopters = new Map<number, number>();
  const repeat = new Map<number, number>();
  if (sel.productLevel) {
    // Exact per-product cells: distinct = Σ arity1 − Σ arity2, on ≥ 2 days = Σ arity2 − Σ arity3.
    const sums = new Map<string, number>();
    for (let i = 0; i < agg.rows; i++) if (t[i] === T_CELLS) sums.set(`${x[i]}|${y[i]}|${z[i]}`, v[i]);
    const s = (kind: number, key: number, arity: number) => sums.get(`${kind}|${key}|${arity}`) ?? 0;
    activeUsers = s(KIND_USER, 0, 1) - s(KIND_USER, 0, 2);
    for (const fid of fids) {
      adopters.set(fid, s(KIND_FEATURE_USER, fid, 1) - s(KIND_FEATURE_USER, fid, 2));
      repeat.set(fid, s(KIND_FEATURE_USER, fid, 2) - s(KIND_FEATURE_USER, fid, 3));
    }
  } else if (featureScope !== null) {
    // Exact kind-6 cells, as the product-level branch does with kind 2.
    const sums = new Map<string, number>();
    for (let i = 0; i < agg.rows; i++) {
      if (t[i] === T_SCOPE_USERS) activeUsers = v[i];
      else if (t[i] === T_SCOPE_CELLS) sums.set(`${x[i]}|${y[i]}`, v[i]);
    }
    const s = (fid: number, arity: number) => sums.get(`${fid}|${arity}`) ?? 0;
    for (const fid of fids) {
      adopters.set(fid, s(fid, 1) - s(fid, 2));
      repeat.set(fid, s(fid, 2) - s(fid, 3));
    }
  } else {
    for (let i = 0; i < agg.rows; i++) if (t[i] === T_SCOPE_USERS) activeUsers = v[i];
    const sketch = await sketchCounts(sql, catalog, sel, a, fids, wanted !== null, scope === null);
    for (const [k, fid] of fids.entries()) {
      adopters.set(fid, sketch.adopters[k]);
      repeat.set(fid, sketch.repeat[k]);
    }
    if (!scope) activeUsers = sketch.users;
  }

  // Median of (first use day − firstSeen) over first uses inside the range.
  const firstUses = new Map<number, { value: number; weight: number }[]>();
  for (let i = 0; i < agg.rows; i++) {
    if (t[i] !== T_FIRST_USE || !(v[i] > 0) || !firstSeen.has(x[i])) continue;
    let list = firstUses.get(x[i]);
    if (!list) firstUses.set(x[i], (list = []));
    list.push({ value: y[i] - firstSeen.get(x[i])!, weight: v[i] });
  }
  return fids.map((fid) => {
    const adopted = Math.min(adopters.get(fid) ?? 0, activeUsers);
    const cells = (firstUses.get(fid) ?? []).sort((p, q) => p.value - q.value);
    return {
      feature: catalog.idToName.get(fid)!,
      activeUsers,
      adopters: adopted,
      adoptionRate: activeUsers > 0 ? adopted / activeUsers : 0,
      uses: uses.get(fid) ?? 0,
      repeatAdopters: Math.min(repeat.get(fid) ?? 0, adopted),
      firstSeen: dayFromIndex(firstSeen.get(fid)!),
      medianDaysToFirstUse: weightedMedian(cells),
    };
  });
}

/**
 * The OS or license type value whose kind-6 cells answer adopters and repeat adopters exactly: the
 * filter names one value of one of those (and perhaps products), the range starts where the cells are
 * complete, and every feature id fits the cells' key. Else null (HyperLogLog unions).
 */
function featureScopeOf(catalog: Catalog, a: CommonArgs, wanted: readonly number[] | null): number | null {
  const f = a.filter;
  if ((f.appVersions?.length ?? 0) > 0 || (f.countries?.length ?? 0) > 0) return null;
  const os = f.os ?? [];
  const licenses = f.licenseTypes ?? [];
  if (os.length + licenses.length !== 1) return null;
  const id = catalog.dimValues.get(os.length === 1 ? `os\u001f${os[0]}` : `license_type\u001f${licenses[0]}`);
  if (id === undefined || id > MAX_FEATURE_SCOPE_VALUE) return null;
  if (dayIndex(a.range.from) < catalog.featureScopeFrom) return null;
  const fids = wanted ?? [...catalog.idToName.keys()];
  if (fids.some((fid) => fid > MAX_FEATURE_SCOPE_FID)) return null;
  return id;
}

const DAY_SQL = (day: string) => `(${day} - DATE '1970-01-01')::INTEGER`;

/**
 * HyperLogLog unions over the range for segment filters: the register rows of adopters, of repeat
 * witnesses (both days in the range and both segments selected) and, when asked, of active users,
 * read in one statement and merged in JS per feature (hll-union.ts).
 */
async function sketchCounts(
  sql: Sql,
  catalog: Catalog,
  sel: Selection,
  a: CommonArgs,
  fids: readonly number[],
  onlyFids: boolean,
  withUsers: boolean,
): Promise<{ users: number; adopters: number[]; repeat: number[] }> {
  const seg = segJoin(sel, 'f.seg');
  const prev = segJoin(sel, 'f.prev_seg', 'sp');
  const fidIn = onlyFids ? ' AND f.fid IN (SELECT unnest($fids::INTEGER[]))' : '';
  // Sketch of a row, as SQL sees it: 0 = users, 2·fid = adopters of fid, 2·fid + 1 = its repeat witnesses.
  let maxFid = 0;
  for (const id of catalog.idToName.keys()) maxFid = Math.max(maxFid, id);
  const packed = 2 * maxFid + 1 <= MAX_PACKED_KEY;
  const cols = (key: string) => (packed ? packedRegisterSql(key, 'f.') : `(${key})::INTEGER, ${packedRegisterSql(null, 'f.')}`);
  const parts = [
    `SELECT ${cols('2 * f.fid')} FROM hll_feature_users f${seg.sql} WHERE f.day BETWEEN $from::DATE AND $to::DATE${fidIn}`,
    `SELECT ${cols('2 * f.fid + 1')} FROM hll_feature_repeat f${seg.sql}${prev.sql}
     WHERE f.day BETWEEN $from::DATE AND $to::DATE AND f.prev_day >= $from::DATE${fidIn}`,
  ];
  if (withUsers) parts.push(`SELECT ${cols('0')} FROM hll_users f${seg.sql} WHERE f.day BETWEEN $from::DATE AND $to::DATE`);
  const { cols: out } = await queryColumns(sql, parts.join('\nUNION ALL\n'), {
    from: a.range.from,
    to: a.range.to,
    ...seg.params,
    ...(onlyFids ? { fids: memberList(fids, 'int') } : {}),
  });
  // Sketch index: 0 = users, 1 + k = adopters of fids[k], 1 + n + k = its repeat witnesses.
  const n = fids.length;
  const keyOf = new Int32Array(2 * maxFid + 2).fill(-1);
  keyOf[0] = 0;
  fids.forEach((fid, k) => {
    keyOf[2 * fid] = 1 + k;
    keyOf[2 * fid + 1] = 1 + n + k;
  });
  let est: Float64Array;
  if (packed) est = unionPackedKeys(ints(out, 0), keyOf, 1 + 2 * n);
  else {
    const sqlKey = ints(out, 0);
    const keys = new Int32Array(sqlKey.length);
    for (let i = 0; i < keys.length; i++) keys[i] = sqlKey[i] < keyOf.length ? keyOf[sqlKey[i]] : -1;
    est = unionRegisters(keys, ints(out, 1), 1 + 2 * n);
  }
  return {
    users: Math.round(est[0]),
    adopters: fids.map((_, k) => Math.round(est[1 + k])),
    repeat: fids.map((_, k) => Math.round(est[1 + n + k])),
  };
}

/** quantile_cont(0.5) of a multiset given as (value, count) sorted by value. */
export function weightedMedian(cells: readonly { value: number; weight: number }[]): number | null {
  const n = cells.reduce((s, c) => s + c.weight, 0);
  if (n <= 0) return null;
  const h = (n - 1) / 2;
  const at = (rank: number): number => {
    let seen = 0;
    for (const c of cells) {
      seen += c.weight;
      if (seen > rank) return c.value;
    }
    return cells[cells.length - 1].value;
  };
  const lo = at(Math.floor(h));
  const hi = at(Math.ceil(h));
  return lo + (h - Math.floor(h)) * (hi - lo);
}

/** EXACT from raw events; refused if any day of the range was dropped. First uses look at all stored days. */
async function exactFeatureAdoption(ctx: QueryContext, a: CommonArgs, features: string[] | null): Promise<FeatureAdoption[]> {
  const all = { from: '0001-01-01' as Day, to: '9999-12-31' as Day };
  return withRawEvents(ctx, a.range, all, async (sql, source) => {
    const f = rawFilterSql(a.filter);
    const rows = await sql.all<{
      feature: string;
      uses: number;
      adopters: number;
      repeat: number;
      median: number | null;
      first_seen: string;
    }>(
      `WITH ev AS (SELECT day, product_id, user_hash, type, name FROM ${source} WHERE ${f.sql}),
       fu AS (SELECT name, product_id, user_hash, day FROM ev WHERE type = 'feature_used' AND name IS NOT NULL),
       fs AS (SELECT name, min(day) AS first_seen FROM fu GROUP BY name),
       per AS (
         SELECT name, product_id, user_hash,
                count(*) FILTER (WHERE day BETWEEN $from::DATE AND $to::DATE) AS uses,
                count(DISTINCT day) FILTER (WHERE day BETWEEN $from::DATE AND $to::DATE) AS days,
                min(day) AS first_use
         FROM fu WHERE day <= $to::DATE GROUP BY ALL)
       SELECT fs.name AS feature, coalesce(sum(per.uses), 0) AS uses,
              count(*) FILTER (WHERE per.days >= 1) AS adopters, count(*) FILTER (WHERE per.days >= 2) AS repeat,
              quantile_cont(per.first_use - fs.first_seen, 0.5) FILTER (WHERE per.first_use >= $from::DATE) AS median,
              fs.first_seen::VARCHAR AS first_seen
       FROM fs LEFT JOIN per USING (name) GROUP BY fs.name, fs.first_seen`,
      { from: a.range.from, to: a.range.to, ...f.params },
    );
    const active =
      (
        await sql.one<{ n: number }>(
          `SELECT count(*) AS n FROM (SELECT DISTINCT product_id, user_hash FROM ${source}
           WHERE day BETWEEN $from::DATE AND $to::DATE AND ${f.sql})`,
          { from: a.range.from, to: a.range.to, ...f.params },
        )
      )?.n ?? 0;
    // firstSeen counts history the raw files no longer hold ("aggregates included").
    const aggFirst = await aggregateFirstSeen(sql, ctx, a);
    const wanted = features ? new Set(features) : null;
    return rows
      .filter((r) => (wanted ? wanted.has(r.feature) : r.uses > 0))
      .sort((x, y) => byName(x.feature, y.feature))
      .map((r) => {
        const agg = aggFirst.get(r.feature);
        return {
          feature: r.feature,
          activeUsers: active,
          adopters: r.adopters,
          adoptionRate: active > 0 ? r.adopters / active : 0,
          uses: r.uses,
          repeatAdopters: r.repeat,
          firstSeen: (agg && agg < r.first_seen ? agg : r.first_seen) as Day,
          medianDaysToFirstUse: r.median,
        };
      });
  });
}

async function aggregateFirstSeen(sql: Sql, ctx: QueryContext, a: CommonArgs): Promise<Map<string, string>> {
  const catalog = await readCatalog(ctx.pool, sql);
  const sel = selectSegments(catalog, a.filter, null);
  const seg = segPredicate(sel, 'd.seg');
  const rows = await sql.all<{ name: string; first_seen: string }>(
    `SELECT n.name, min(d.day)::VARCHAR AS first_seen FROM agg_feature_day d JOIN agg_name n ON n.id = d.fid
     WHERE true${seg.sql} GROUP BY n.name`,
    seg.params,
  );
  return new Map(rows.map((r) => [r.name, r.first_seen]));
}

/** Code-unit order, the same in both precisions. */
function byName(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
