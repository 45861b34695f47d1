import type { TelemetryEngineApi } from '@telemetry/engine';
import type { Precision } from '@telemetry/schema';
import { percentile } from '../stats.ts';
import { describeError } from './describe-error.ts';
import { FAMILIES, type DashboardQuery, type QueryAnswers } from './query-set.ts';

/** Timings (ms) and answers of one pass over the query set at one precision. */
export interface PrecisionRun {
  readonly precision: Precision;
  /** Timed runs per query name (warm-up excluded). */
  readonly timings: ReadonlyMap<string, readonly number[]>;
  /** The warm-up answer per query name. */
  readonly answers: ReadonlyMap<string, unknown[]>;
  /** Queries that threw, with the error. Their timings are absent. */
  readonly errors: ReadonlyMap<string, string>;
}

export interface QueryMeasurement {
  readonly approx: PrecisionRun;
  readonly exact: PrecisionRun;
  readonly queries: readonly DashboardQuery[];
}

/**
 * Runs every query once untimed (warm-up: the file cache, DuckDB's caches, the engine's own), then
 * `reps` timed rounds, APPROXIMATE first, then EXACT (only queries that have an EXACT mode).
 * A query that throws is recorded and left out of the timed rounds; the others go on, so one
 * unfinished metric family does not hide the rest.
 */
export async function measureQueries(
  engine: TelemetryEngineApi,
  queries: readonly DashboardQuery[],
  reps: number,
  onQuery?: (done: number) => void,
): Promise<QueryMeasurement> {
  let done = 0;
  const tick = (): void => onQuery?.(++done);
  const pass = async (precision: Precision): Promise<PrecisionRun> => {
    const set = precision === 'EXACT' ? queries.filter((q) => q.hasExact) : queries;
    const timings = new Map<string, number[]>();
    const answers = new Map<string, unknown[]>();
    const errors = new Map<string, string>();
    for (const q of set) {
      try {
        answers.set(q.name, await q.run(engine, precision));
        timings.set(q.name, []);
      } catch (err) {
        errors.set(q.name, describeError(err));
      }
      tick();
    }
    for (let r = 0; r < reps; r++) {
      for (const q of set) {
        const list = timings.get(q.name);
        if (!list) continue;
        const t = performance.now();
        try {
          await q.run(engine, precision);
          list.push(performance.now() - t);
        } catch (err) {
          // Worked in the warm-up but not now: keep it out of the figures, say why.
          errors.set(q.name, describeError(err));
          timings.delete(q.name);
        }
        tick();
      }
    }
    return { precision, timings, answers, errors };
  };
  const approx = await pass('APPROXIMATE');
  const exact = await pass('EXACT');
  return { approx, exact, queries };
}

/** How many query executions `measureQueries` will make (for progress). */
export function plannedExecutions(queries: readonly DashboardQuery[], reps: number): number {
  const exact = queries.filter((q) => q.hasExact).length;
  return (queries.length + exact) * (1 + reps);
}

export function answersOf(m: QueryMeasurement): QueryAnswers {
  return { approx: m.approx.answers, exact: m.exact.answers, queries: m.queries };
}

/**
 * The figures of one pass: `<prefix>.p95Ms` over ALL queries of the set (only when none failed: a
 * p95 over a subset would read as the whole), and per family and per range span when all of theirs ran.
 */
export function summarizeRun(
  run: PrecisionRun,
  queries: readonly DashboardQuery[],
  prefix: string,
  put: (key: string, value: number) => void,
): void {
  const inSet = queries.filter((q) => run.precision === 'APPROXIMATE' || q.hasExact);
  const all = (subset: readonly DashboardQuery[]): number[] | null => {
    if (subset.length === 0 || subset.some((q) => !run.timings.has(q.name))) return null;
    return subset.flatMap((q) => [...run.timings.get(q.name)!]);
  };
  const whole = all(inSet);
  if (whole) {
    put(`${prefix}.p95Ms`, percentile(whole, 0.95));
    put(`${prefix}.p50Ms`, percentile(whole, 0.5));
    put(`${prefix}.maxMs`, Math.max(...whole));
    put(`${prefix}.queries`, inSet.length);
  }
  for (const family of FAMILIES) {
    const times = all(inSet.filter((q) => q.family === family));
    if (times) put(`${prefix}.${family}.p95Ms`, percentile(times, 0.95));
  }
  for (const span of [...new Set(inSet.map((q) => q.rangeDays))]) {
    const times = all(inSet.filter((q) => q.rangeDays === span));
    if (times) put(`${prefix}.${span}d.p95Ms`, percentile(times, 0.95));
  }
}
