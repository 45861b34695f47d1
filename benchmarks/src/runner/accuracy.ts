import type { Family, QueryAnswers } from './query-set.ts';

/**
 * Below these exact values a relative error says more about small numbers than about the sketch:
 * metrics.md allows distinct counts "2% or 2, whichever is larger", and at 100 the 2 is 2%, so from
 * 100 up the relative error is the whole story. Percentiles are compared where a row holds at least
 * 1,000 values: with fewer, the exact answer interpolates between neighbours far apart in a
 * log-normal tail (p99 of 100 values lies between the two largest), which is not the sketch's error.
 * A fleet too small to have any such value (a test's) falls back to every non-zero value.
 */
export const MIN_DISTINCT_FOR_RELATIVE = 100;
export const MIN_COUNT_FOR_PERCENTILE = 1000;

/** Which fields of each family's rows are what kind of number, and which fields key a row. */
const FIELDS: Readonly<
  Record<Exclude<Family, 'retentionCohorts'>, { key: string[]; distinct: string[]; counts: string[]; percentiles: string[] }>
> = {
  activeUsers: { key: ['day', 'segment'], distinct: ['dau', 'wau', 'mau'], counts: [], percentiles: [] },
  featureAdoption: { key: ['feature'], distinct: ['activeUsers', 'adopters', 'repeatAdopters'], counts: ['uses'], percentiles: [] },
  latency: { key: ['period', 'segment'], distinct: [], counts: ['count'], percentiles: ['p50', 'p90', 'p95', 'p99'] },
  crashRate: {
    key: ['period', 'segment'],
    distinct: ['sessions', 'crashedSessions', 'activeUsers', 'crashedUsers'],
    counts: ['crashes'],
    percentiles: [],
  },
};

/** The largest relative error seen, and where. */
class WorstError {
  pct = 0;
  where = '';
  compared = 0;
  add(pct: number, where: () => string): void {
    this.compared++;
    if (pct > this.pct || this.where === '') {
      this.pct = pct;
      this.where = where();
    }
  }
}

export interface AccuracyReport {
  /** Worst |approx − exact| / exact over distinct counts (exact >= MIN_DISTINCT_FOR_RELATIVE), %. */
  readonly maxDistinctErrorPct: number;
  /** Worst relative error over p50..p99 of rows with count >= MIN_COUNT_FOR_PERCENTILE, %. */
  readonly maxPercentileErrorPct: number;
  /** Worst relative error of plain counts (uses, crashes, count): metrics.md says exact. */
  readonly maxCountErrorPct: number;
  /** Distinct counts outside metrics.md's bound (|error| > max(2, 2% of exact)), over every value. */
  readonly distinctBoundViolations: number;
  /** Percentiles more than 2% off, over rows with at least 100 values. */
  readonly percentileBoundViolations: number;
  /** Values behind the two maxima. */
  readonly distinctCompared: number;
  readonly percentilesCompared: number;
  /** True when no value reached the thresholds and every non-zero value was used instead. */
  readonly thresholdFallback: boolean;
  /** Rows one answer has and the other lacks. */
  readonly rowMismatches: number;
  readonly worstDistinct: string;
  readonly worstPercentile: string;
  /** Queries compared (both answers present). */
  readonly queriesCompared: number;
}

/** Compares every APPROXIMATE answer with its EXACT twin, field by field (see FIELDS). */
export function compareAnswers(answers: QueryAnswers): AccuracyReport {
  const distinct = new WorstError();
  const distinctAny = new WorstError();
  const pctl = new WorstError();
  const pctlAny = new WorstError();
  let maxCountErrorPct = 0;
  let distinctBoundViolations = 0;
  let percentileBoundViolations = 0;
  let rowMismatches = 0;
  let queriesCompared = 0;
  for (const q of answers.queries) {
    if (q.family === 'retentionCohorts') continue;
    const approx = answers.approx.get(q.name);
    const exact = answers.exact.get(q.name);
    if (!approx || !exact) continue;
    queriesCompared++;
    const spec = FIELDS[q.family];
    const keyOf = (row: unknown): string => spec.key.map((k) => String((row as Record<string, unknown>)[k])).join('|');
    const approxRows = new Map(approx.map((row) => [keyOf(row), row as Record<string, unknown>]));
    const seen = new Set<string>();
    for (const rowE of exact as Record<string, unknown>[]) {
      const key = keyOf(rowE);
      seen.add(key);
      const rowA = approxRows.get(key);
      if (!rowA) {
        rowMismatches++;
        continue;
      }
      for (const f of spec.distinct) {
        const e = Number(rowE[f]);
        const a = Number(rowA[f]);
        if (Math.abs(a - e) > Math.max(2, 0.02 * e)) distinctBoundViolations++;
        if (!(e > 0)) continue;
        const pct = (100 * Math.abs(a - e)) / e;
        const where = (): string => `${q.name} [${key}] ${f}: approx ${a}, exact ${e}`;
        distinctAny.add(pct, where);
        if (e >= MIN_DISTINCT_FOR_RELATIVE) distinct.add(pct, where);
      }
      for (const f of spec.counts) {
        const e = Number(rowE[f]);
        const a = Number(rowA[f]);
        maxCountErrorPct = Math.max(maxCountErrorPct, e === 0 ? (a === 0 ? 0 : 100) : (100 * Math.abs(a - e)) / e);
      }
      const n = Number(rowE.count ?? 0);
      for (const f of spec.percentiles) {
        const e = Number(rowE[f]);
        const a = Number(rowA[f]);
        if (!(e > 0)) continue;
        const pct = (100 * Math.abs(a - e)) / e;
        if (n >= 100 && pct > 2) percentileBoundViolations++;
        const where = (): string => `${q.name} [${key}] ${f} (n=${n}): approx ${a}, exact ${e}`;
        pctlAny.add(pct, where);
        if (n >= MIN_COUNT_FOR_PERCENTILE) pctl.add(pct, where);
      }
    }
    for (const key of approxRows.keys()) if (!seen.has(key)) rowMismatches++;
  }
  const d = distinct.compared > 0 ? distinct : distinctAny;
  const p = pctl.compared > 0 ? pctl : pctlAny;
  return {
    maxDistinctErrorPct: d.pct,
    maxPercentileErrorPct: p.pct,
    maxCountErrorPct,
    distinctBoundViolations,
    percentileBoundViolations,
    distinctCompared: d.compared,
    percentilesCompared: p.compared,
    thresholdFallback: d !== distinct || p !== pctl,
    rowMismatches,
    worstDistinct: d.where,
    worstPercentile: p.where,
    queriesCompared,
  };
}
