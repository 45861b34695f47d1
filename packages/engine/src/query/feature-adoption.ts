import type { Day, FeatureAdoption, FeatureAdoptionArgs } from '@telemetry/schema';
import { hllEstimate } from '../aggregate/hll.ts';
import { dayIndex } from '../aggregate/periods.ts';
import { KIND_FEATURE_USER, KIND_USER } from '../aggregate/tables.ts';
import type { Sql } from '../storage/duck.ts';
import { type CommonArgs, checkCommon, checkFeatures } from './args.ts';
import { cached } from './cache.ts';
import type { QueryContext } from './context.ts';
import { memberList } from './list-param.ts';
import { rawFilterSql, withRawEvents } from './raw-events.ts';
import { readCatalog, segPredicate, type Selection, selectSegments } from './segments.ts';
import { planUserScopes, readUserCells } from './user-scopes.ts';

interface Counts {
  activeUsers: number;
  adopters: Map<number, number>;
  repeat: Map<number, number>;
}

/**
 * Feature adoption over the range, one entry per feature (the `features` asked for, or every feature
 * used in the range), sorted by name. Features never used (under the filter) are left out: they have
 * no firstSeen.
 *
 * APPROXIMATE, with no filter or a products-only filter: exact from per-product cells (activeUsers,
 * adopters, repeatAdopters) and the first-use histogram. With any other filter: adopters are
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
    return cached(ctx.pool, catalog.version, ['featureAdoption', a, features], async () => {
      const sel = selectSegments(catalog, a.filter, null);
      const seg = segPredicate(sel);
      const range = { from: a.range.from, to: a.range.to };
      const usage = await sql.all<{ fid: number; uses: number; first_seen: string }>(
        `SELECT fid, coalesce(sum(uses) FILTER (WHERE day BETWEEN $from::DATE AND $to::DATE), 0) AS uses,
                min(day)::VARCHAR AS first_seen
         FROM agg_feature_day WHERE true${seg.sql} GROUP BY fid`,
        { ...range, ...seg.params },
      );
      const byFid = new Map(usage.map((u) => [u.fid, u]));
      const fids = (
        features
          ? features.map((f) => catalog.nameToId.get(f)).filter((id): id is number => id !== undefined && byFid.has(id))
          : usage.filter((u) => u.uses > 0).map((u) => u.fid)
      ).sort((x, y) => byName(catalog.idToName.get(x)!, catalog.idToName.get(y)!));
      if (fids.length === 0) return [];
      const counts = sel.productLevel ? await cellCounts(sql, sel, a, fids) : await sketchCounts(sql, sel, a, fids);
      // With one dimension value filtered, active users are exact too (the scope's cells).
      const scopes = sel.productLevel ? null : planUserScopes(catalog, a.filter, null, sel);
      if (scopes) {
        const from = dayIndex(a.range.from);
        const cells = await readUserCells(sql, catalog, scopes, { lo: a.range.from, hi: a.range.to, base: from, maxGap: dayIndex(a.range.to) - from });
        let users = 0;
        for (let i = 0; i < cells.rows; i++) if (cells.group[i] === 0) users += cells.arity[i] === 1 ? cells.n[i] : -cells.n[i];
        counts.activeUsers = users;
      }
      const medians = await firstUseMedians(sql, sel, a, fids, byFid);
      return fids.map((fid) => {
        const activeUsers = counts.activeUsers;
        const adopters = Math.min(counts.adopters.get(fid) ?? 0, activeUsers);
        return {
          feature: catalog.idToName.get(fid)!,
          activeUsers,
          adopters,
          adoptionRate: activeUsers > 0 ? adopters / activeUsers : 0,
          uses: byFid.get(fid)!.uses,
          repeatAdopters: Math.min(counts.repeat.get(fid) ?? 0, adopters),
          firstSeen: byFid.get(fid)!.first_seen as Day,
          medianDaysToFirstUse: medians.get(fid) ?? null,
        };
      });
    });
  });
}

/** Exact per-product cells: distinct = Σ arity1 − Σ arity2, on ≥ 2 days = Σ arity2 − Σ arity3. */
async function cellCounts(sql: Sql, sel: Selection, a: CommonArgs, fids: number[]): Promise<Counts> {
  const rows = await sql.all<{ kind: number; key: number; s1: number; s2: number; s3: number }>(
    `SELECT kind, key, coalesce(sum(n) FILTER (WHERE arity = 1), 0) AS s1, coalesce(sum(n) FILTER (WHERE arity = 2), 0) AS s2,
            coalesce(sum(n) FILTER (WHERE arity = 3), 0) AS s3
     FROM occ_cells
     WHERE a >= $from::DATE AND b <= $to::DATE
       AND (kind = ${KIND_USER} OR (kind = ${KIND_FEATURE_USER} AND key IN (SELECT unnest($fids::INTEGER[]))))
       ${sel.all ? '' : 'AND product_id IN (SELECT unnest($products::VARCHAR[]))'}
     GROUP BY kind, key`,
    { from: a.range.from, to: a.range.to, fids: memberList(fids, 'int'), ...(sel.all ? {} : { products: memberList(sel.products, 'text') }) },
  );
  const out: Counts = { activeUsers: 0, adopters: new Map(), repeat: new Map() };
  for (const r of rows) {
    if (r.kind === KIND_USER) out.activeUsers = r.s1 - r.s2;
    else {
      out.adopters.set(r.key, r.s1 - r.s2);
      out.repeat.set(r.key, r.s2 - r.s3);
    }
  }
  return out;
}

/** HyperLogLog unions over the range for segment filters; DuckDB merges the registers. */
async function sketchCounts(sql: Sql, sel: Selection, a: CommonArgs, fids: number[]): Promise<Counts> {
  const seg = segPredicate(sel);
  const params = { from: a.range.from, to: a.range.to, fids: memberList(fids, 'int'), ...seg.params };
  const rows = await sql.all<{ what: string; fid: number; nz: number; s: number }>(
    `SELECT 'users' AS what, 0 AS fid, count(*) AS nz, coalesce(sum(pow(2.0, -CAST(rho AS INTEGER))), 0) AS s FROM (
       SELECT reg, max(rho) AS rho FROM hll_users WHERE day BETWEEN $from::DATE AND $to::DATE${seg.sql} GROUP BY reg)
     UNION ALL
     SELECT 'adopters', fid, count(*), sum(pow(2.0, -CAST(rho AS INTEGER))) FROM (
       SELECT fid, reg, max(rho) AS rho FROM hll_feature_users
       WHERE day BETWEEN $from::DATE AND $to::DATE AND fid IN (SELECT unnest($fids::INTEGER[]))${seg.sql} GROUP BY fid, reg)
     GROUP BY fid
     UNION ALL
     SELECT 'repeat', fid, count(*), sum(pow(2.0, -CAST(rho AS INTEGER))) FROM (
       SELECT fid, reg, max(rho) AS rho FROM hll_feature_repeat
       WHERE day BETWEEN $from::DATE AND $to::DATE AND prev_day >= $from::DATE
         AND fid IN (SELECT unnest($fids::INTEGER[]))${seg.sql}${segPredicate(sel, 'prev_seg').sql} GROUP BY fid, reg)
     GROUP BY fid`,
    params,
  );
  const out: Counts = { activeUsers: 0, adopters: new Map(), repeat: new Map() };
  for (const r of rows) {
    const est = Math.round(hllEstimate(r.nz, r.s));
    if (r.what === 'users') out.activeUsers = est;
    else (r.what === 'adopters' ? out.adopters : out.repeat).set(r.fid, est);
  }
  return out;
}

/** Median over users whose first-ever use lies in the range of (first use day − firstSeen). */
async function firstUseMedians(
  sql: Sql,
  sel: Selection,
  a: CommonArgs,
  fids: number[],
  byFid: ReadonlyMap<number, { first_seen: string }>,
): Promise<Map<number, number>> {
  const seg = segPredicate(sel);
  const rows = await sql.all<{ fid: number; day: number; users: number }>(
    `SELECT fid, (day - DATE '1970-01-01')::INTEGER AS day, sum(users) AS users FROM first_use_cells
     WHERE day BETWEEN $from::DATE AND $to::DATE AND fid IN (SELECT unnest($fids::INTEGER[]))${seg.sql}
     GROUP BY fid, day HAVING sum(users) > 0 ORDER BY fid, day`,
    { from: a.range.from, to: a.range.to, fids: memberList(fids, 'int'), ...seg.params },
  );
  const out = new Map<number, number>();
  for (const fid of fids) {
    const cells = rows.filter((r) => r.fid === fid);
    const base = dayIndex(byFid.get(fid)!.first_seen as Day);
    const m = weightedMedian(cells.map((c) => ({ value: c.day - base, weight: c.users })));
    if (m !== null) out.set(fid, m);
  }
  return out;
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
