import type { Day, Granularity, LatencyArgs, LatencyPoint } from '@telemetry/schema';
import { ddQuantiles } from '../aggregate/ddsketch.ts';
import { dayFromIndex, dayIndex, periodStartSql } from '../aggregate/periods.ts';
import { GRANULARITY_CODE } from '../aggregate/periods.ts';
import { SCOPE_LATENCY } from '../aggregate/tables.ts';
import { type CommonArgs, checkCommon, checkGranularity, checkMetric } from './args.ts';
import { cached } from './cache.ts';
import { doubles, ints, queryColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { rawFilterSql, rawSegmentSql, withRawEvents } from './raw-events.ts';
import { planScopeKeys, scopeJoin } from './scope-keys.ts';
import { groupJoin, readCatalog, selectSegments } from './segments.ts';

const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

/**
 * Percentiles of the `value` of `performance` events named `metric`, per period (first day of the
 * DAY / ISO WEEK / MONTH, clipped to the range) and breakdown value. Only periods and values with at
 * least one sample have a point (percentiles of nothing are undefined).
 *
 * APPROXIMATE merges the DDSketch buckets of the days and segments (sum per bucket) and interpolates
 * like quantile_cont: within 1% of the exact value.
 *
 * @example
 * await latency(ctx, { range: { from: '2026-10-01', to: '2026-10-31' }, metric: 'startup', granularity: 'WEEK' })
 * // [{ period: '2026-09-29', segment: null, count: 20455, p50: 1410.2, p90: 2890.5, p95: 3402.9, p99: 5120.4 }, …]
 */
export async function latency(ctx: QueryContext, args: LatencyArgs): Promise<LatencyPoint[]> {
  const a = checkCommon(args);
  const metric = checkMetric(args.metric);
  const g = checkGranularity(args.granularity, 'DAY');
  if (a.precision === 'EXACT') return exactLatency(ctx, a, metric, g);
  return ctx.pool.use(async (sql) => {
    const catalog = await readCatalog(ctx.pool, sql);
    return cached(ctx.pool, catalog.version, ['latency', a, metric, g], async () => {
      const mid = catalog.nameToId.get(metric);
      if (mid === undefined) return [];
      const sel = selectSegments(catalog, a.filter, a.breakdownBy);
      if (sel.segs.length === 0) return [];
      // Bucket counts per (period, group), put in order and summed per bucket here (cheaper than ORDER
      // BY). The rows are the scope rollup's when one dimension (or none) is filtered and broken down
      // (scope-keys.ts: a few hundred rows a day, read as they are: a GROUP BY of them costs more
      // than the scan), else the segments' (dd_latency joined with the selected segments and their
      // groups, summed in SQL: hundreds of rows per bucket). The same sums either way.
      const scopes = planScopeKeys(catalog, a.filter, a.breakdownBy, sel);
      const join = scopes ? scopeJoin(scopes, 'd.key', 'm') : groupJoin(sel, 'd.seg', 'm');
      const { rows, cols } = await queryColumns(
        sql,
        scopes
          ? `SELECT ${PERIOD_SQL[g]} AS p, ${join.g} AS g, bucket, n::DOUBLE AS n
             FROM scope_sums d${join.sql} WHERE what = ${SCOPE_LATENCY} AND nid = $mid AND day BETWEEN $from::DATE AND $to::DATE`
          : `SELECT ${PERIOD_SQL[g]} AS p, ${join.g} AS g, bucket, sum(n)::DOUBLE AS n
             FROM dd_latency d${join.sql}
             WHERE mid = $mid AND day BETWEEN $from::DATE AND $to::DATE
             GROUP BY ${g === 'DAY' ? 'day' : 'p'}, g, bucket`,
        { mid, from: a.range.from, to: a.range.to, ...join.params },
        [3],
      );
      const [p, grp, bucket] = [0, 1, 2].map((i) => ints(cols, i));
      const n = doubles(cols, 3);
      // Cells (period, group) in order, each with its buckets ascending.
      const firstDay = dayIndex(a.range.from) - 31; // a period starts at most a month before the range
      const periodIndex = new Int32Array(dayIndex(a.range.to) - firstDay + 1).fill(-1);
      for (let i = 0; i < rows; i++) periodIndex[p[i] - firstDay] = 0;
      const periodStarts: number[] = [];
      periodIndex.forEach((v, d) => {
        if (v === 0) periodIndex[d] = periodStarts.push(firstDay + d) - 1;
      });
      const nG = sel.labels.length;
      const nCells = periodStarts.length * nG;
      const cellOf = new Int32Array(rows);
      const start = new Int32Array(nCells + 1);
      let minBucket = Infinity;
      for (let i = 0; i < rows; i++) {
        cellOf[i] = periodIndex[p[i] - firstDay] * nG + grp[i];
        start[cellOf[i] + 1]++;
        if (bucket[i] < minBucket) minBucket = bucket[i];
      }
      for (let c = 0; c < nCells; c++) start[c + 1] += start[c];
      const fill = start.slice(0, nCells);
      const order = new Int32Array(rows);
      for (let i = 0; i < rows; i++) order[fill[cellOf[i]]++] = i;
      // Within each cell, rows sorted by bucket: (bucket offset, position) packed in one float key,
      // sorted in place.
      const keys = new Float64Array(rows);
      const sortedBucket = new Int32Array(rows);
      const sortedN = new Float64Array(rows);
      const points: LatencyPoint[] = [];
      for (let c = 0; c < nCells; c++) {
        const from = start[c];
        const to = start[c + 1];
        if (to === from) continue;
        for (let j = from; j < to; j++) keys[j] = (bucket[order[j]] - minBucket) * SORT_SPAN + (j - from);
        keys.subarray(from, to).sort();
        // Rows of one bucket (several days of a period, several scope keys of a group) are summed.
        let count = 0;
        let end = from;
        for (let j = from; j < to; j++) {
          const i = order[from + (keys[j] % SORT_SPAN)];
          if (end > from && sortedBucket[end - 1] === bucket[i]) sortedN[end - 1] += n[i];
          else {
            sortedBucket[end] = bucket[i];
            sortedN[end++] = n[i];
          }
          count += n[i];
        }
        const [p50, p90, p95, p99] = ddQuantiles(sortedBucket, sortedN, QUANTILES, from, end);
        points.push({ period: dayFromIndex(periodStarts[Math.floor(c / nG)]), segment: sel.labels[c % nG], count, p50, p90, p95, p99 });
      }
      return points;
    });
  });
}

/** Positions within a cell stay below this (a cell holds at most one row per bucket, day and scope key). */
const SORT_SPAN = 2 ** 24;

/** SQL: the first day (day index) of the period holding `day`; WEEK is the ISO week, as periods.ts. */
const PERIOD_SQL: Record<Granularity, string> = {
  DAY: `(day - DATE '1970-01-01')::INTEGER`,
  WEEK: `((day - DATE '1970-01-01')::INTEGER - ((((day - DATE '1970-01-01')::INTEGER + 3) % 7 + 7) % 7))`,
  MONTH: `(date_trunc('month', day)::DATE - DATE '1970-01-01')::INTEGER`,
};

/** EXACT: quantile_cont over the raw values; refused if any day of the range was dropped. */
async function exactLatency(ctx: QueryContext, a: CommonArgs, metric: string, g: Granularity): Promise<LatencyPoint[]> {
  return withRawEvents(ctx, a.range, a.range, async (sql, source) => {
    const f = rawFilterSql(a.filter);
    const rows = await sql.all<{ period: string; segment: string | null; count: number; q: number[] }>(
      `SELECT ${periodStartSql(String(GRANULARITY_CODE[g]), 'day')}::VARCHAR AS period, ${rawSegmentSql(a.breakdownBy)} AS segment,
              count(*) AS count, quantile_cont(value, [${QUANTILES.join(', ')}]) AS q
       FROM ${source}
       WHERE day BETWEEN $from::DATE AND $to::DATE AND type = 'performance' AND name = $metric AND value IS NOT NULL AND ${f.sql}
       GROUP BY ALL`,
      { from: a.range.from, to: a.range.to, metric, ...f.params },
    );
    return rows
      .map((r) => ({ period: r.period as Day, segment: r.segment, count: r.count, p50: r.q[0], p90: r.q[1], p95: r.q[2], p99: r.q[3] }))
      .sort((x, y) => (x.period !== y.period ? (x.period < y.period ? -1 : 1) : (x.segment ?? '') < (y.segment ?? '') ? -1 : 1));
  });
}
