import { BadInputError, type RetentionCohort, type RetentionCohortsArgs, validatePeriods } from '@telemetry/schema';
import { dayFromIndex, dayIndex, GRANULARITY_CODE, nextPeriod, periodStart } from '../aggregate/periods.ts';
import { KIND_USER } from '../aggregate/tables.ts';
import { checkCommon, checkGranularity } from './args.ts';
import { cached } from './cache.ts';
import { doubles, ints, queryColumns } from './columnar.ts';
import type { QueryContext } from './context.ts';
import { readCatalog, segJoin, selectSegments } from './segments.ts';
import { planUserScopes } from './user-scopes.ts';

/**
 * Retention cohorts: the periods (of `granularity`, default WEEK) that start inside the range and not
 * after the period holding today, oldest first. Each has `periods` entries or fewer, ending with the
 * period that holds today; retained[0] = size.
 *
 * Always from the aggregates (the contract has no EXACT): exact cohort cells kept at ingest from the
 * per-user first-seen state, per product and per dimension value. They answer exactly when the
 * filter names products and at most one value of one other dimension. With wider filters a user
 * belongs to the cohort of its first event of the product when that event's segment matches the
 * filter, and counts as retained in a period when it has any event of the product in it (see
 * AGGREGATES.md).
 *
 * @example
 * await retentionCohorts(ctx, { range: { from: '2026-09-01', to: '2026-10-31' }, granularity: 'WEEK', periods: 8 })
 * // [{ cohort: '2026-09-01', size: 420, retained: [420, 198, 150, …], rates: [1, 0.471, 0.357, …] }, …]
 */
export async function retentionCohorts(ctx: QueryContext, args: RetentionCohortsArgs): Promise<RetentionCohort[]> {
  const a = checkCommon({ range: args.range, filter: args.filter, breakdownBy: null });
  const g = checkGranularity(args.granularity, 'WEEK');
  const periods = validatePeriods(args.periods ?? 12);
  if ((args as { precision?: unknown }).precision === 'EXACT') {
    throw new BadInputError('precision', 'retentionCohorts has no EXACT precision: cohorts are exact aggregates');
  }
  const today = ctx.today();
  return ctx.pool.use(async (sql) => {
    const catalog = await readCatalog(ctx.pool, sql);
    return cached(ctx.pool, catalog.version, ['retentionCohorts', a, g, periods, today], async () => {
      const from = dayIndex(a.range.from);
      const to = dayIndex(a.range.to);
      const todayPeriod = periodStart(g, dayIndex(today));
      const starts: number[] = [];
      for (let c = periodStart(g, from); c <= to && c <= todayPeriod; c = nextPeriod(g, c)) if (c >= from) starts.push(c);
      if (starts.length === 0) return [];
      // Exact cohorts of a scope (all events of the products, or those with one dimension value), or
      // else the users whose first event matches the filter (kind 1 by first segment).
      const sel = selectSegments(catalog, a.filter, null);
      const scopes = planUserScopes(catalog, a.filter, null, sel);
      const bySeg = scopes ? selectSegments(catalog, { products: a.filter.products }, null) : sel;
      const seg = segJoin(bySeg, 'f.seg');
      const { rows, cols } = await queryColumns(
        sql,
        `SELECT (cohort - DATE '1970-01-01')::INTEGER AS c, (period - DATE '1970-01-01')::INTEGER AS p, sum(users)::DOUBLE AS users
         FROM cohort_cells f${seg.sql}
         WHERE kind = $kind AND key = $key AND g = $g AND cohort BETWEEN $from::DATE AND $to::DATE AND period <= $today::DATE
         GROUP BY ALL`,
        {
          kind: scopes?.kind ?? KIND_USER,
          key: scopes?.groups[0].key ?? 0,
          g: GRANULARITY_CODE[g],
          from: dayFromIndex(starts[0]),
          to: dayFromIndex(starts[starts.length - 1]),
          today,
          ...seg.params,
        },
        [2],
      );
      const [cohortCol, periodCol] = [0, 1].map((i) => ints(cols, i));
      const users = doubles(cols, 2);
      const cells = new Map<string, number>();
      for (let i = 0; i < rows; i++) cells.set(`${cohortCol[i]}|${periodCol[i]}`, users[i]);
      return starts.map((c) => {
        const retained: number[] = [];
        for (let p = c; p <= todayPeriod && retained.length < periods; p = nextPeriod(g, p)) retained.push(cells.get(`${c}|${p}`) ?? 0);
        const size = retained[0];
        return { cohort: dayFromIndex(c), size, retained, rates: retained.map((r) => (size > 0 ? r / size : 0)) };
      });
    });
  });
}
