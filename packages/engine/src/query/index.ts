// STUB by the lead so the engine compiles; the metrics helper replaces this file.
import type { ActiveUsersArgs, ActiveUsersPoint, CrashRateArgs, CrashRatePoint, FeatureAdoption, FeatureAdoptionArgs, LatencyArgs, LatencyPoint, RetentionCohort, RetentionCohortsArgs } from '@telemetry/schema';
import type { QueryContext } from './context.ts';
const todo = (): never => { throw new Error('not implemented yet'); };
export async function activeUsers(_c: QueryContext, _a: ActiveUsersArgs): Promise<ActiveUsersPoint[]> { return todo(); }
export async function featureAdoption(_c: QueryContext, _a: FeatureAdoptionArgs): Promise<FeatureAdoption[]> { return todo(); }
export async function latency(_c: QueryContext, _a: LatencyArgs): Promise<LatencyPoint[]> { return todo(); }
export async function crashRate(_c: QueryContext, _a: CrashRateArgs): Promise<CrashRatePoint[]> { return todo(); }
export async function retentionCohorts(_c: QueryContext, _a: RetentionCohortsArgs): Promise<RetentionCohort[]> { return todo(); }
