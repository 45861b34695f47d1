import { type ActiveUsersArgs, type ActiveUsersPoint, addDays, type Day } from '@telemetry/schema';
import { slidingEstimates } from '../aggregate/hll.ts';
import { dayFromIndex, dayIndex } from '../aggregate/periods.ts';
import type { Sql } from '../storage/duck.ts';
import { type CommonArgs, checkCommon } from './args.ts';
import { cached } from './cache.ts';
import type { QueryContext } from './context.ts';
import { rawFilterSql, rawSegmentSql, withRawEvents } from './raw-events.ts';
import { readRegisterRows, unpackRegisters } from './hll-union.ts';
import { type Catalog, readCatalog, segJoin, type Selection, selectSegments } from './segments.ts';
import { planUserScopes, readUserCells, type UserScopes } from './user-scopes.ts';

/** Window lengths of DAU, WAU and MAU. */
const WINDOWS = [1, 7, 30] as const;
const LOOK_BACK = WINDOWS[WINDOWS.length - 1] - 1;

/** Per group: DAU/WAU/MAU for each day from the look-back start to range.to, and whether it has any activity. */
interface GroupSeries {
  readonly windows: Float64Array[];
  readonly active: boolean;
}

/**
 * DAU, WAU (7 days) and MAU (30 days) for every day of the range, per breakdown value. The windows
 * reach 29 days back before range.from. Without breakdown every day of the range has a point; with a
 * breakdown, every day for each value that had activity in [range.from − 29, range.to].
 *
 * APPROXIMATE: exact from the occurrence cells of users (per product) or of users within one
 * dimension value, whenever each group is such a scope (user-scopes.ts: products plus at most one
 * other dimension); otherwise from the per-day HyperLogLog registers, the windows slid per register
 * (hll.ts slidingEstimates).
 *
 * @example
 * await activeUsers(ctx, { range: { from: '2026-10-01', to: '2026-10-31' }, breakdownBy: 'OS' })
 * // [{ day: '2026-10-01', segment: 'linux', dau: 812, wau: 2301, mau: 5120, stickiness: 0.158 }, …]
 */
export async function activeUsers(ctx: QueryContext, args: ActiveUsersArgs): Promise<ActiveUsersPoint[]> {
  const a = checkCommon(args);
  if (a.precision === 'EXACT') return exactActiveUsers(ctx, a);
  return ctx.pool.use(async (sql) => {
    const catalog = await readCatalog(ctx.pool, sql);
    return cached(ctx.pool, catalog.version, ['activeUsers', a], async () => {
      const sel = selectSegments(catalog, a.filter, a.breakdownBy);
      const look = dayIndex(a.range.from) - LOOK_BACK;
      const to = dayIndex(a.range.to);
      const scopes = planUserScopes(catalog, a.filter, a.breakdownBy, sel);
      const series = scopes ? await cellWindows(sql, catalog, scopes, sel, look, to) : await sketchWindows(sql, catalog, sel, look, to);
      return toPoints(a, sel.labels, series, look);
    });
  });
}

/** Exact: users active in [d − w + 1, d] = Σ arity-1 cells − Σ arity-2 cells inside the window. */
async function cellWindows(sql: Sql, catalog: Catalog, scopes: UserScopes, sel: Selection, look: number, to: number): Promise<GroupSeries[]> {
  const cells = await readUserCells(sql, catalog, scopes, { lo: dayFromIndex(look), hi: dayFromIndex(to), base: look, maxGap: LOOK_BACK });
  const nDays = to - look + 1;
  const size = nDays + LOOK_BACK + 2;
  const diffs = sel.labels.map(() => WINDOWS.map(() => new Float64Array(size)));
  const active = sel.labels.map(() => false);
  for (let i = 0; i < cells.rows; i++) {
    const g = cells.group[i];
    if (g < 0) continue;
    const aa = cells.a[i];
    const bb = cells.b[i];
    const n = cells.n[i];
    const gd = diffs[g];
    const single = cells.arity[i] === 1;
    for (let wi = 0; wi < WINDOWS.length; wi++) {
      const w = WINDOWS[wi];
      if (single) {
        gd[wi][aa] += n;
        gd[wi][aa + w] -= n;
      } else if (bb - aa < w) {
        gd[wi][bb] -= n;
        gd[wi][aa + w] += n;
      }
    }
    if (single && n > 0) active[g] = true;
  }
  return diffs.map((gd, gi) => ({
    active: active[gi],
    windows: gd.map((diff) => {
      const out = new Float64Array(nDays);
      let acc = 0;
      for (let d = 0; d < nDays; d++) out[d] = acc += diff[d];
      return out;
    }),
  }));
}

/** HyperLogLog: per group, the per-day registers slid over 1, 7 and 30 days. */
async function sketchWindows(sql: Sql, catalog: Catalog, sel: Selection, look: number, to: number): Promise<GroupSeries[]> {
  const seg = segJoin(sel, 'f.seg');
  const { rows, seg: segs, day, packed } = await readRegisterRows(
    sql,
    catalog.segments.length,
    [`FROM hll_users f${seg.sql} WHERE f.day BETWEEN $lookDay::DATE AND $toDay::DATE`],
    { base: look, lookDay: dayFromIndex(look), toDay: dayFromIndex(to), ...seg.params },
  );
  const nGroups = sel.labels.length;
  const groupOfRow = new Int32Array(rows);
  const count = new Int32Array(nGroups + 1);
  for (let i = 0; i < rows; i++) {
    const g = sel.groupOf[segs[i]] ?? -1;
    groupOfRow[i] = g;
    count[g + 1]++;
  }
  const start = new Int32Array(nGroups + 1);
  for (let k = 0; k < nGroups; k++) start[k + 1] = start[k] + count[k + 1];
  const fill = start.slice();
  const gd = new Int32Array(rows);
  const gp = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const g = groupOfRow[i];
    if (g < 0) continue;
    const j = fill[g]++;
    gd[j] = day[i];
    gp[j] = packed[i];
  }
  const nDays = to - look + 1;
  return sel.labels.map((_, k) => {
    const [a, b] = [start[k], start[k + 1]];
    if (a === b) return { active: false, windows: WINDOWS.map(() => new Float64Array(nDays)) };
    const { regs, rhos } = unpackRegisters(gp, a, b);
    return { active: true, windows: slidingEstimates(gd.subarray(a, b), regs, rhos, nDays, WINDOWS) };
  });
}

function toPoints(a: CommonArgs, labels: readonly (string | null)[], series: GroupSeries[], look: number): ActiveUsersPoint[] {
  const from = dayIndex(a.range.from);
  const to = dayIndex(a.range.to);
  const points: ActiveUsersPoint[] = [];
  for (let day = from; day <= to; day++) {
    const dayText = dayFromIndex(day);
    labels.forEach((segment, g) => {
      if (segment !== null && !series[g].active) return;
      const [dau, wau, mau] = series[g].windows.map((w) => Math.max(0, Math.round(w[day - look])));
      points.push({ day: dayText, segment, dau, wau, mau, stickiness: mau > 0 ? dau / mau : 0 });
    });
  }
  return points;
}

/** EXACT: distinct users from the raw events; refused if any day of [from − 29, to] was dropped. */
async function exactActiveUsers(ctx: QueryContext, a: CommonArgs): Promise<ActiveUsersPoint[]> {
  const look: Day = addDays(a.range.from, -LOOK_BACK);
  const span = { from: look, to: a.range.to };
  return withRawEvents(ctx, span, span, async (sql, source) => {
    const f = rawFilterSql(a.filter);
    const rows = await sql.all<{ day: string; segment: string | null; dau: number; wau: number; mau: number }>(
      `WITH ev AS (
         SELECT DISTINCT day, product_id, user_hash, ${rawSegmentSql(a.breakdownBy)} AS segment
         FROM ${source} WHERE day BETWEEN $look::DATE AND $to::DATE AND ${f.sql}),
       days AS (SELECT CAST(range AS DATE) AS d FROM range($from::DATE, $to::DATE + 1, INTERVAL 1 DAY)),
       u AS (
         SELECT d, segment, product_id, user_hash, max(day) AS last
         FROM days JOIN ev ON ev.day BETWEEN d - ${LOOK_BACK} AND d GROUP BY ALL)
       SELECT d::VARCHAR AS day, segment, count(*) FILTER (WHERE last = d) AS dau,
              count(*) FILTER (WHERE last > d - 7) AS wau, count(*) AS mau
       FROM u GROUP BY ALL`,
      { look, from: a.range.from, to: a.range.to, ...f.params },
    );
    const segments = a.breakdownBy
      ? (
          await sql.all<{ s: string }>(
            `SELECT DISTINCT ${rawSegmentSql(a.breakdownBy)} AS s FROM ${source} WHERE day BETWEEN $look::DATE AND $to::DATE AND ${f.sql}`,
            { look, to: a.range.to, ...f.params },
          )
        )
          .map((r) => r.s)
          .sort()
      : [null];
    const byKey = new Map(rows.map((r) => [`${r.day}|${r.segment}`, r]));
    const points: ActiveUsersPoint[] = [];
    for (let day = a.range.from; day <= a.range.to; day = addDays(day, 1)) {
      for (const segment of segments) {
        const r = byKey.get(`${day}|${segment}`);
        const [dau, wau, mau] = r ? [r.dau, r.wau, r.mau] : [0, 0, 0];
        points.push({ day, segment, dau, wau, mau, stickiness: mau > 0 ? dau / mau : 0 });
      }
    }
    return points;
  });
}
