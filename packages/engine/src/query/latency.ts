import type { Day, Granularity, LatencyArgs, LatencyPoint } from '@telemetry/schema';
import { ddQuantiles } from '../aggregate/ddsketch.ts';
import { dayFromIndex, periodStartSql } from '../aggregate/periods.ts';
import { GRANULARITY_CODE } from '../aggregate/periods.ts';
import { type CommonArgs, checkCommon, checkGranularity, checkMetric } from './args.ts';
import { cached } from './cache.ts';
import { doubles, ints, readColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { memberList } from './list-param.ts';
import { rawFilterSql, rawSegmentSql, withRawEvents } from './raw-events.ts';
import { readCatalog, selectSegments } from './segments.ts';

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
      const grouped = !sel.all || a.breakdownBy !== null;
      const { rows, cols } = await readColumns(
        sql,
        `SELECT (${periodStartSql(String(GRANULARITY_CODE[g]), 'day')} - DATE '1970-01-01')::INTEGER AS p,
                ${grouped ? 'm.g' : '0'} AS g, bucket, sum(n)::DOUBLE AS n
         FROM dd_latency d
         ${grouped ? 'JOIN (SELECT unnest($segs::INTEGER[]) AS seg, unnest($groups::INTEGER[]) AS g) m USING (seg)' : ''}
         WHERE mid = $mid AND day BETWEEN $from::DATE AND $to::DATE
         GROUP BY ALL ORDER BY p, g, bucket`,
        {
          mid,
          from: a.range.from,
          to: a.range.to,
          ...(grouped ? { segs: memberList(sel.segs, 'int'), groups: memberList(sel.segs.map((s) => sel.groupOf[s]), 'int') } : {}),
        },
        [3],
      );
      const [p, grp, bucket] = [0, 1, 2].map((i) => ints(cols, i));
      const n = doubles(cols, 3);
      const points: LatencyPoint[] = [];
      for (let i = 0; i < rows; ) {
        let j = i;
        let count = 0;
        while (j < rows && p[j] === p[i] && grp[j] === grp[i]) count += n[j++];
        const [p50, p90, p95, p99] = ddQuantiles(bucket, n, QUANTILES, i, j);
        points.push({ period: dayFromIndex(p[i]), segment: sel.labels[grp[i]], count, p50, p90, p95, p99 });
        i = j;
      }
      return points;
    });
  });
}

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
