import { ProgressReporter } from '../../stats.ts';
import { compareAnswers } from '../accuracy.ts';
import { answersOf, measureQueries, plannedExecutions, summarizeRun } from '../query-timing.ts';
import { dashboardQueries } from '../query-set.ts';
import type { Stage, StageContext } from '../run-state.ts';

/**
 * `query.approx.p95Ms`, `query.exact.p95Ms`, `query.speedup` over the dashboard query set, per
 * family and per range too; then `accuracy.*` from the same answers (APPROXIMATE vs EXACT).
 */
export const queriesStage: Stage = {
  name: 'queries',
  blockedBy: (state) => (state.library ? null : 'needs the engine of library-ingest'),
  async run(ctx) {
    const { state, put } = ctx;
    const queries = dashboardQueries(state.plan.endDay, state.options.days);
    const progress = new ProgressReporter({
      label: 'queries',
      total: plannedExecutions(queries, state.options.queryReps),
      unit: 'queries',
      write: ctx.log,
      intervalMs: 3000,
    });
    const m = await measureQueries(state.library!.engine, queries, state.options.queryReps, (n) => progress.update(n));
    summarizeRun(m.approx, queries, 'query.approx', put);
    summarizeRun(m.exact, queries, 'query.exact', put);
    const approx = state.results['query.approx.p95Ms'];
    const exact = state.results['query.exact.p95Ms'];
    if (approx !== undefined && exact !== undefined) put('query.speedup', exact / approx);
    ctx.note(`queries: slowest APPROXIMATE (cold runs, ms): ${slowest(m.approx.timings, 5)}`);
    reportErrors(ctx, 'APPROXIMATE', m.approx.errors);
    reportErrors(ctx, 'EXACT', m.exact.errors);
    ctx.note(
      `queries: ${queries.length} APPROXIMATE and ${queries.filter((q) => q.hasExact).length} EXACT ` +
        `(retentionCohorts has no EXACT mode), 1 warm-up + ${state.options.queryReps} timed runs each`,
    );
    state.answers = answersOf(m);
    putAccuracy(ctx);
  },
};

/** The `n` queries with the slowest single run, each with all its runs: where a p95 comes from. */
function slowest(timings: ReadonlyMap<string, readonly number[]>, n: number): string {
  return [...timings]
    .map(([name, runs]) => ({ name, runs, max: Math.max(...runs) }))
    .sort((a, b) => b.max - a.max)
    .slice(0, n)
    .map((q) => `${q.name} [${q.runs.map((t) => t.toFixed(1)).join(', ')}]`)
    .join('; ');
}

function reportErrors(ctx: StageContext, precision: string, errors: ReadonlyMap<string, string>): void {
  // One line per distinct error: five families failing the same way read as one problem.
  const byMessage = new Map<string, string[]>();
  for (const [name, message] of errors) byMessage.set(message, [...(byMessage.get(message) ?? []), name]);
  for (const [message, names] of byMessage) {
    ctx.problem(`${precision} ${names.length} quer${names.length === 1 ? 'y' : 'ies'} (${names.join('; ')})`, message);
  }
}

/** `accuracy.*`: only when every APPROXIMATE/EXACT pair is there, else the maxima would be over a subset. */
function putAccuracy(ctx: StageContext): void {
  const answers = ctx.state.answers!;
  const pairs = answers.queries.filter((q) => q.hasExact);
  const missing = pairs.filter((q) => !answers.approx.has(q.name) || !answers.exact.has(q.name));
  if (pairs.length === 0 || missing.length === pairs.length) {
    ctx.problem('accuracy', 'no query has both an APPROXIMATE and an EXACT answer');
    return;
  }
  const a = compareAnswers(answers);
  const put = ctx.put;
  if (missing.length === 0) {
    put('accuracy.maxDistinctErrorPct', a.maxDistinctErrorPct);
    put('accuracy.maxPercentileErrorPct', a.maxPercentileErrorPct);
  } else {
    ctx.problem('accuracy', `${missing.length} of ${pairs.length} queries lack an answer at one precision; worst errors not reported`);
  }
  put('accuracy.maxCountErrorPct', a.maxCountErrorPct);
  put('accuracy.distinctBoundViolations', a.distinctBoundViolations);
  put('accuracy.percentileBoundViolations', a.percentileBoundViolations);
  put('accuracy.distinctCompared', a.distinctCompared);
  put('accuracy.percentilesCompared', a.percentilesCompared);
  put('accuracy.rowMismatches', a.rowMismatches);
  ctx.note(`accuracy: worst distinct count ${a.maxDistinctErrorPct.toFixed(2)}% at ${a.worstDistinct || '-'}`);
  ctx.note(`accuracy: worst percentile ${a.maxPercentileErrorPct.toFixed(2)}% at ${a.worstPercentile || '-'}`);
  if (a.thresholdFallback) ctx.note('accuracy: fleet too small for the thresholds (distinct >= 100, percentile rows >= 1,000 values): every non-zero value compared');
}
