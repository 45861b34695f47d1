import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { ActiveUsersPoint, CrashRatePoint, FeatureAdoption, LatencyPoint, Precision, RetentionCohort } from '@telemetry/schema';
import { filterArg, nonEmptyArg, periodsArg, rangeArg } from '../arguments.ts';
import type { ApiContext } from '../context.ts';
import { ActiveUsersArgsType, CrashRateArgsType, FeatureAdoptionArgsType, LatencyArgsType, RetentionCohortsArgsType } from '../types/args.ts';
import { ActiveUsersPointType, CrashRatePointType, FeatureAdoptionType, LatencyPointType, RetentionCohortType } from '../types/metrics.ts';

/**
 * Cost of a metric query for the complexity budget: answering from aggregates is cheap, scanning
 * raw events (EXACT) is not, and a breakdown multiplies the rows.
 */
function metricComplexity({ args, childComplexity }: ComplexityEstimatorArgs): number {
  const base = args.precision === 'EXACT' ? 100 : 10;
  return base * (args.breakdownBy ? 2 : 1) + childComplexity;
}

const precisionOf = (p: Precision | null | undefined): Precision => p ?? 'APPROXIMATE';

/** The five dashboard metrics of api.graphql; definitions in metrics.md. */
@Resolver()
export class MetricsResolver {
  @Query(() => [ActiveUsersPointType], { complexity: metricComplexity })
  activeUsers(@Ctx() { engine }: ApiContext, @Args(() => ActiveUsersArgsType) a: ActiveUsersArgsType): Promise<ActiveUsersPoint[]> {
    return engine.activeUsers({ range: rangeArg(a.range), filter: filterArg(a.filter), breakdownBy: a.breakdownBy ?? null, precision: precisionOf(a.precision) });
  }

  @Query(() => [FeatureAdoptionType], { complexity: metricComplexity })
  featureAdoption(@Ctx() { engine }: ApiContext, @Args(() => FeatureAdoptionArgsType) a: FeatureAdoptionArgsType): Promise<FeatureAdoption[]> {
    return engine.featureAdoption({ range: rangeArg(a.range), filter: filterArg(a.filter), features: a.features ?? null, precision: precisionOf(a.precision) });
  }

  @Query(() => [LatencyPointType], { complexity: metricComplexity })
  latency(@Ctx() { engine }: ApiContext, @Args(() => LatencyArgsType) a: LatencyArgsType): Promise<LatencyPoint[]> {
    return engine.latency({
      range: rangeArg(a.range),
      metric: nonEmptyArg(a.metric, 'metric'),
      filter: filterArg(a.filter),
      granularity: a.granularity ?? 'DAY',
      breakdownBy: a.breakdownBy ?? null,
      precision: precisionOf(a.precision),
    });
  }

  @Query(() => [CrashRatePointType], { complexity: metricComplexity })
  crashRate(@Ctx() { engine }: ApiContext, @Args(() => CrashRateArgsType) a: CrashRateArgsType): Promise<CrashRatePoint[]> {
    return engine.crashRate({
      range: rangeArg(a.range),
      filter: filterArg(a.filter),
      granularity: a.granularity ?? 'DAY',
      breakdownBy: a.breakdownBy ?? null,
      precision: precisionOf(a.precision),
    });
  }

  @Query(() => [RetentionCohortType], { complexity: metricComplexity })
  retentionCohorts(@Ctx() { engine }: ApiContext, @Args(() => RetentionCohortsArgsType) a: RetentionCohortsArgsType): Promise<RetentionCohort[]> {
    return engine.retentionCohorts({
      range: rangeArg(a.range),
      filter: filterArg(a.filter),
      granularity: a.granularity ?? 'WEEK',
      periods: periodsArg(a.periods, 12),
    });
  }
}
