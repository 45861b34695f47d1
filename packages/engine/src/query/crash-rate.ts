import type { CrashRateArgs, CrashRatePoint, Day, Granularity } from '@telemetry/schema';
import { dayFromIndex, dayIndex, GRANULARITY_CODE, periodStartSql, periodsOf } from '../aggregate/periods.ts';
import { KIND_CRASHED_SESSION, KIND_SESSION } from '../aggregate/tables.ts';
import type { Sql } from '../storage/duck.ts';
import { type CommonArgs, checkCommon, checkGranularity } from './args.ts';
import { cached } from './cache.ts';
import { ints, queryColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { rawFilterSql, rawSegmentSql, withRawEvents } from './raw-events.ts';
import { REG_BITS, readRegisterRows, unionRegisters } from './hll-union.ts';
import { type Catalog, groupJoin, readCatalog, segJoin, selectSegments } from './segments.ts';
import { cellA, cellArity, cellB, cellDaysSql, cellGroupLookup, planUserScopes, userCellKey } from './user-scopes.ts';

/**
 * Crash rate per period (clipped to the range) and breakdown value: distinct sessions with any event,
 * crashed sessions, crash events, active users, crashed users. 0/0 is defined as no crash:
 * crashRate 0 and crashFreeUsersRate 1. Without a breakdown every period has a point; with one, every
 * period for each value that had events in the range.
 *
 * APPROXIMATE: crash events are exact counts; sessions and crashed sessions exact occurrence cells
 * per segment (a session counted once per segment it has events in: sessions do not change segment in
 * practice); active users exact scope cells where the filter allows (user-scopes.ts), else
 * HyperLogLog like crashed users.
 *
 * @example
 * await crashRate(ctx, { range: { from: '2026-10-01', to: '2026-10-31' }, granularity: 'WEEK', breakdownBy: 'APP_VERSION' })
 */
export async function crashRate(ctx: QueryContext, args: CrashRateArgs): Promise<CrashRatePoint[]> {
  const a = checkCommon(args);
  const g = checkGranularity(args.granularity, 'DAY');
  if (a.precision === 'EXACT') return exactCrashRate(ctx, a, g);
  return ctx.pool.use(async (sql) => {
    const catalog = await readCatalog(ctx.pool, sql);
    return cached(ctx.pool, catalog.version, ['crashRate', a, g], () => approxCrashRate(sql, catalog, a, g));
  });
}

/**
 * Two statements: the exact counts (crash events per day and segment, and the session and user
 * occurrence cells in one scan of occ_cells), then the register rows of crashed users (and of active
 * users without an exact scope), merged in JS per (period, group).
 */
async function approxCrashRate(sql: Sql, catalog: Catalog, a: CommonArgs, g: Granularity): Promise<CrashRatePoint[]> {
  const sel = selectSegments(catalog, a.filter, a.breakdownBy);
  const from = dayIndex(a.range.from);
  const to = dayIndex(a.range.to);
  const periods = periodsOf(g, from, to);
  const periodOf = new Int32Array(to - from + 1);
  periods.forEach((p, i) => periodOf.fill(i, p.from - from, p.to - from + 1));
  const nG = sel.labels.length;
  const nP = periods.length;
  const cell = (p: number, grp: number) => p * nG + grp;
  const seg = segJoin(sel, 'f.seg');
  const range = { from: a.range.from, to: a.range.to, base: from };
  const maxGap = g === 'DAY' ? 0 : g === 'WEEK' ? 6 : 30;
  // Users: exact scope cells when each group is a scope, else HyperLogLog; crashed users always
  // HyperLogLog (crash rows are few).
  const scopes = planUserScopes(catalog, a.filter, a.breakdownBy, sel);

  // Exact counts: crash events per day; the session cells (kinds 4, 5, key = seg) and the scopes' user
  // cells, from one scan of occ_cells. Four INTEGER columns: kind (−1 crash events, −2 user cells,
  // else the session kind), group (user cells: scope key and product, userCellKey), packed days
  // (cellDaysSql; crash events: the day), n (crash events: crashes, doubled, plus 1 when there were
  // events). Crash events and session cells are summed per group and day in SQL (a join mapping
  // segments to groups): a few rows per group and day reach JS instead of one per segment.
  const userKey = scopes ? userCellKey(scopes, catalog) : null;
  const groups = groupJoin(sel, 'f.seg', 'gd');
  const cellGroups = groupJoin(sel, 'f.key', 'gc');
  const cellWindow = `arity <= 2 AND a >= $from::DATE AND b <= $to::DATE AND b >= $from::DATE AND a <= $to::DATE AND b - a <= ${maxGap}`;
  const { rows, cols } = await queryColumns(
    sql,
    `SELECT -1 AS kind, ${groups.g} AS grp, (f.day - DATE '1970-01-01')::INTEGER - $base,
            (sum(crashes) * 2 + (sum(events) > 0)::INTEGER)::INTEGER
     FROM agg_day f${groups.sql} WHERE f.day BETWEEN $from::DATE AND $to::DATE GROUP BY ALL
     UNION ALL
     SELECT kind::INTEGER, ${cellGroups.g}, ${cellDaysSql()}, sum(n)::INTEGER
     FROM occ_cells f${cellGroups.sql} WHERE kind IN (${KIND_SESSION}, ${KIND_CRASHED_SESSION}) AND ${cellWindow} GROUP BY ALL
     ${userKey ? `UNION ALL SELECT -2, ${userKey.key}, ${cellDaysSql()}, n::INTEGER FROM occ_cells WHERE kind = $userKind AND ${userKey.keyRange} AND ${cellWindow}` : ''}`,
    { ...range, ...groups.params, ...(userKey && scopes ? { ...userKey.params, userKind: scopes.kind } : {}) },
  );
  const [kind, grpCol, days, cn] = [0, 1, 2, 3].map((i) => ints(cols, i));
  const crashes = new Float64Array(nP * nG);
  const present = new Uint8Array(nG);
  const sessions = new Float64Array(nP * nG);
  const crashedSessions = new Float64Array(nP * nG);
  const users = scopes ? new Float64Array(nP * nG) : null;
  const groupOfCell = scopes ? cellGroupLookup(scopes, catalog) : null;
  for (let i = 0; i < rows; i++) {
    const k = kind[i];
    if (k === -1) {
      const grp = grpCol[i];
      crashes[cell(periodOf[days[i]], grp)] += cn[i] >>> 1;
      if (cn[i] & 1) present[grp] = 1;
      continue;
    }
    // A cell counts in a period when both its days lie in it.
    const p = periodOf[cellA(days[i])];
    if (p !== periodOf[cellB(days[i])]) continue;
    const grp = k === -2 ? groupOfCell!(grpCol[i]) : grpCol[i];
    if (grp < 0) continue;
    const target = k === -2 ? users! : k === KIND_SESSION ? sessions : crashedSessions;
    target[cell(p, grp)] += cellArity(days[i]) === 1 ? cn[i] : -cn[i];
  }

  const tables = scopes ? ['hll_crash_users'] : ['hll_crash_users', 'hll_users'];
  const regs = await readRegisterRows(
    sql,
    catalog.segments.length,
    tables.map((t) => `FROM ${t} f${seg.sql} WHERE f.day BETWEEN $from::DATE AND $to::DATE`),
    { ...range, ...seg.params },
    (part) => String(part),
  );
  // Sketch key: which * nP * nG + cell; the packed registers carry `which` above them (ignored by the union).
  const keys = new Int32Array(regs.rows);
  for (let i = 0; i < regs.rows; i++) {
    const grp = sel.groupOf[regs.seg[i]] ?? -1;
    keys[i] = grp < 0 ? -1 : (regs.packed[i] >>> REG_BITS) * nP * nG + cell(periodOf[regs.day[i]], grp);
  }
  const est = unionRegisters(keys, regs.packed, tables.length * nP * nG);
  const sketch = (which: number, c: number) => Math.round(est[which * nP * nG + c]);

  const points: CrashRatePoint[] = [];
  periods.forEach((period, p) => {
    sel.labels.forEach((segment, grp) => {
      if (segment !== null && !present[grp]) return;
      const c = cell(p, grp);
      const activeUsers = users ? users[c] : sketch(1, c);
      const crashedUsers = Math.min(sketch(0, c), activeUsers);
      points.push({
        period: dayFromIndex(period.start),
        segment,
        sessions: sessions[c],
        crashedSessions: crashedSessions[c],
        crashRate: sessions[c] > 0 ? crashedSessions[c] / sessions[c] : 0,
        crashes: crashes[c],
        activeUsers,
        crashedUsers,
        crashFreeUsersRate: activeUsers > 0 ? 1 - crashedUsers / activeUsers : 1,
      });
    });
  });
  return points;
}

/** EXACT from raw events; refused if any day of the range was dropped. */
async function exactCrashRate(ctx: QueryContext, a: CommonArgs, g: Granularity): Promise<CrashRatePoint[]> {
  return withRawEvents(ctx, a.range, a.range, async (sql, source) => {
    const f = rawFilterSql(a.filter);
    const rows = await sql.all<{
      period: string;
      segment: string | null;
      sessions: number;
      crashed_sessions: number;
      crashes: number;
      users: number;
      crashed_users: number;
    }>(
      `WITH ev AS (
         SELECT ${periodStartSql(String(GRANULARITY_CODE[g]), 'day')} AS period, ${rawSegmentSql(a.breakdownBy)} AS segment,
                product_id, user_hash, session_id, type
         FROM ${source} WHERE day BETWEEN $from::DATE AND $to::DATE AND ${f.sql})
       SELECT period::VARCHAR AS period, segment,
              count(DISTINCT (product_id, session_id)) AS sessions,
              count(DISTINCT (product_id, session_id)) FILTER (WHERE type = 'crash') AS crashed_sessions,
              count(*) FILTER (WHERE type = 'crash') AS crashes,
              count(DISTINCT (product_id, user_hash)) AS users,
              count(DISTINCT (product_id, user_hash)) FILTER (WHERE type = 'crash') AS crashed_users
       FROM ev GROUP BY ALL`,
      { from: a.range.from, to: a.range.to, ...f.params },
    );
    const byKey = new Map(rows.map((r) => [`${r.period}|${r.segment}`, r]));
    const segments = a.breakdownBy ? [...new Set(rows.map((r) => r.segment as string))].sort() : [null];
    const points: CrashRatePoint[] = [];
    for (const p of periodsOf(g, dayIndex(a.range.from), dayIndex(a.range.to))) {
      const period = dayFromIndex(p.start) as Day;
      for (const segment of segments) {
        const r = byKey.get(`${period}|${segment}`);
        const sessions = r?.sessions ?? 0;
        const crashedSessions = r?.crashed_sessions ?? 0;
        const activeUsers = r?.users ?? 0;
        const crashedUsers = r?.crashed_users ?? 0;
        points.push({
          period,
          segment,
          sessions,
          crashedSessions,
          crashRate: sessions > 0 ? crashedSessions / sessions : 0,
          crashes: r?.crashes ?? 0,
          activeUsers,
          crashedUsers,
          crashFreeUsersRate: activeUsers > 0 ? 1 - crashedUsers / activeUsers : 1,
        });
      }
    }
    return points;
  });
}
