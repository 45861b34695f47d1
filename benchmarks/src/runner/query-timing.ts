import type { TelemetryEngineApi } from '@telemetry/engine';
import type { Precision } from '@telemetry/schema';
// The engine's package exports no cache control; this is the module its query functions use (the
// same file, so the same module instance, as the one behind '@telemetry/engine').
import { forgetAllCachedAnswers } from '../../../packages/engine/src/query/cache.ts';
import { percentile } from '../stats.ts';
import { describeError } from './describe-error.ts';
import { FAMILIES, type DashboardQuery, type QueryAnswers } from './query-set.ts';

/** Timings (ms) and answers of one pass over the query set at one precision. */
export interface PrecisionRun {
  readonly precision: Precision;
  /**
   * Timed runs per query name (warm-up excluded). APPROXIMATE runs are cold: the engine's answer
   * cache is cleared before each, so they time computing the answer, not a memo lookup.
   */
  readonly timings: ReadonlyMap<string, readonly number[]>;
  /** APPROXIMATE only: the same query again right after each cold run, answered from the cache. */
  readonly cachedTimings: ReadonlyMap<string, readonly number[]>;
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
 * Runs every query once untimed (warm-up: the file cache, DuckDB's buffers), then `reps` timed
 * rounds, APPROXIMATE first, then EXACT (only queries that have an EXACT mode). APPROXIMATE timed
 * runs are cold — the engine's memoized answers are dropped before each (a dashboard's first answer
 * after new events, which is what the latency goal is about) — and each is followed by a second,
 * cached run timed apart (`cachedTimings`). A query that throws is recorded and left out of the timed
 * rounds; the others go on, so one unfinished metric family does not hide the rest.
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
    const cachedTimings = new Map<string, number[]>();
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
        try {
          if (precision === 'APPROXIMATE') forgetAllCachedAnswers();
          let t = performance.now();
          await q.run(engine, precision);
          list.push(performance.now() - t);
          if (precision === 'APPROXIMATE') {
            t = performance.now();
            await q.run(engine, precision);
            const cached = cachedTimings.get(q.name) ?? [];
            cached.push(performance.now() - t);
            cachedTimings.set(q.name, cached);
          }
        } catch (err) {
          // Worked in the warm-up but not now: keep it out of the figures, say why.
          errors.set(q.name, describeError(err));
          timings.delete(q.name);
          cachedTimings.delete(q.name);
        }
        tick();
      }
    }
    return { precision, timings, cachedTimings, answers, errors };
  };
  const approx = await pass('APPROXIMATE');
  const exact = await pass('EXACT');
  return { approx, exact, queries };
}

/** How many timed query executions and warm-ups `measureQueries` will make (for progress; cached re-runs not counted). */
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
 * For APPROXIMATE these are cold timings; `<prefix>.cachedP95Ms` / `cachedP50Ms` are the cached re-runs.
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
    const cached = inSet.flatMap((q) => [...(run.cachedTimings.get(q.name) ?? [])]);
    if (cached.length > 0) {
      put(`${prefix}.cachedP95Ms`, percentile(cached, 0.95));
      put(`${prefix}.cachedP50Ms`, percentile(cached, 0.5));
    }
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
