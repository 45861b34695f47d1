import type { CrashRateArgs, CrashRatePoint, Day, Granularity } from '@telemetry/schema';
import { estimateByKey } from '../aggregate/hll.ts';
import { dayFromIndex, dayIndex, GRANULARITY_CODE, periodStartSql, periodsOf } from '../aggregate/periods.ts';
import { KIND_CRASHED_SESSION, KIND_SESSION } from '../aggregate/tables.ts';
import { type CommonArgs, checkCommon, checkGranularity } from './args.ts';
import { cached } from './cache.ts';
import { ints, readColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { rawFilterSql, rawSegmentSql, withRawEvents } from './raw-events.ts';
import { readCatalog, segPredicate, selectSegments } from './segments.ts';
import { planUserScopes, readUserCells } from './user-scopes.ts';

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
    return cached(ctx.pool, catalog.version, ['crashRate', a, g], async () => {
      const sel = selectSegments(catalog, a.filter, a.breakdownBy);
      const from = dayIndex(a.range.from);
      const to = dayIndex(a.range.to);
      const periods = periodsOf(g, from, to);
      const periodOf = new Int32Array(to - from + 1);
      periods.forEach((p, i) => periodOf.fill(i, p.from - from, p.to - from + 1));
      const nG = sel.labels.length;
      const nP = periods.length;
      const cell = (p: number, grp: number) => p * nG + grp;
      const seg = segPredicate(sel);
      const range = { from: a.range.from, to: a.range.to, base: from };

      const crashes = new Float64Array(nP * nG);
      const present = new Uint8Array(nG);
      const counts = await readColumns(
        sql,
        `SELECT (day - DATE '1970-01-01')::INTEGER - $base AS d, seg, crashes::INTEGER, events::INTEGER
         FROM agg_day WHERE day BETWEEN $from::DATE AND $to::DATE${seg.sql}`,
        { ...range, ...seg.params },
      );
      const [cd, cs, cc, ce] = [0, 1, 2, 3].map((i) => ints(counts.cols, i));
      for (let i = 0; i < counts.rows; i++) {
        const grp = sel.groupOf[cs[i]];
        if (grp < 0) continue;
        crashes[cell(periodOf[cd[i]], grp)] += cc[i];
        if (ce[i] > 0) present[grp] = 1;
      }

      // Sessions and crashed sessions: exact cells per segment (a session lives in one segment).
      const maxGap = g === 'DAY' ? 0 : g === 'WEEK' ? 6 : 30;
      const sessions = new Float64Array(nP * nG);
      const crashedSessions = new Float64Array(nP * nG);
      const sc = await readColumns(
        sql,
        `SELECT kind::INTEGER, key, arity::INTEGER, (a - DATE '1970-01-01')::INTEGER - $base AS a,
                (b - DATE '1970-01-01')::INTEGER - $base AS b, n::INTEGER
         FROM occ_cells WHERE kind IN (${KIND_SESSION}, ${KIND_CRASHED_SESSION}) AND arity <= 2
           AND a >= $from::DATE AND b <= $to::DATE AND b - a <= ${maxGap}${segPredicate(sel, 'key').sql}`,
        { ...range, ...segPredicate(sel, 'key').params },
      );
      const [sk, skey, sar, sa, sb, sn] = [0, 1, 2, 3, 4, 5].map((i) => ints(sc.cols, i));
      for (let i = 0; i < sc.rows; i++) {
        const grp = sel.groupOf[skey[i]];
        if (grp < 0 || periodOf[sa[i]] !== periodOf[sb[i]]) continue;
        const target = sk[i] === KIND_SESSION ? sessions : crashedSessions;
        target[cell(periodOf[sa[i]], grp)] += sar[i] === 1 ? sn[i] : -sn[i];
      }

      // Users: exact scope cells when each group is a scope, else HyperLogLog; crashed users always
      // HyperLogLog (crash rows are few).
      const scopes = planUserScopes(catalog, a.filter, a.breakdownBy, sel);
      const sketches = scopes ? ['hll_crash_users'] : ['hll_crash_users', 'hll_users'];
      const { rows, cols } = await readColumns(
        sql,
        sketches
          .map(
            (t, k) => `SELECT ${k} AS k, (day - DATE '1970-01-01')::INTEGER - $base AS d, seg, reg::INTEGER, rho::INTEGER
                       FROM ${t} WHERE day BETWEEN $from::DATE AND $to::DATE${seg.sql}`,
          )
          .join(' UNION ALL '),
        { ...range, ...seg.params },
      );
      const [k, d, s, reg, rho] = [0, 1, 2, 3, 4].map((i) => ints(cols, i));
      const keys = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const grp = sel.groupOf[s[i]];
        keys[i] = grp < 0 ? sketches.length * nP * nG : k[i] * nP * nG + cell(periodOf[d[i]], grp);
      }
      const est = estimateByKey(keys, reg, rho, sketches.length * nP * nG + 1);
      const sketch = (which: number, c: number) => Math.round(est[which * nP * nG + c]);
      let users: Float64Array | null = null;
      if (scopes) {
        users = new Float64Array(nP * nG);
        const cells = await readUserCells(sql, catalog, scopes, { lo: a.range.from, hi: a.range.to, base: from, maxGap });
        for (let i = 0; i < cells.rows; i++) {
          const grp = cells.group[i];
          if (grp < 0 || periodOf[cells.a[i]] !== periodOf[cells.b[i]]) continue;
          users[cell(periodOf[cells.a[i]], grp)] += cells.arity[i] === 1 ? cells.n[i] : -cells.n[i];
        }
      }

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
    });
  });
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
