import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Day } from '@telemetry/schema';
import { DateScalar, SafeIntScalar } from '../scalars.ts';

@ObjectType('ActiveUsersPoint')
export class ActiveUsersPointType {
  @Field(() => DateScalar)
  day!: Day;

  @Field(() => String, { nullable: true, description: 'the breakdown value; null without breakdownBy' })
  segment!: string | null;

  @Field(() => Int)
  dau!: number;

  @Field(() => Int, { description: 'distinct users over [day-6, day]' })
  wau!: number;

  @Field(() => Int, { description: 'distinct users over [day-29, day]' })
  mau!: number;

  @Field(() => Float, { description: 'dau / mau, 0 when mau = 0' })
  stickiness!: number;
}

@ObjectType('FeatureAdoption')
export class FeatureAdoptionType {
  @Field(() => String)
  feature!: string;

  @Field(() => Int, { description: 'distinct users active in the range (after filter)' })
  activeUsers!: number;

  @Field(() => Int, { description: 'distinct users with >= 1 feature_used event of this feature in the range' })
  adopters!: number;

  @Field(() => Float, { description: 'adopters / activeUsers' })
  adoptionRate!: number;

  @Field(() => SafeIntScalar, { description: 'feature_used events of this feature in the range' })
  uses!: number;

  @Field(() => Int, { description: 'adopters who used it on >= 2 distinct days in the range' })
  repeatAdopters!: number;

  @Field(() => DateScalar, { description: 'first day this feature was ever used' })
  firstSeen!: Day;

  @Field(() => Float, { nullable: true, description: 'median days from firstSeen to first use over adopters whose first use lies in the range' })
  medianDaysToFirstUse!: number | null;
}

@ObjectType('LatencyPoint')
export class LatencyPointType {
  @Field(() => DateScalar, { description: 'first day of the period' })
  period!: Day;

  @Field(() => String, { nullable: true })
  segment!: string | null;

  @Field(() => SafeIntScalar)
  count!: number;

  @Field(() => Float)
  p50!: number;

  @Field(() => Float)
  p90!: number;

  @Field(() => Float)
  p95!: number;

  @Field(() => Float)
  p99!: number;
}

@ObjectType('CrashRatePoint')
export class CrashRatePointType {
  @Field(() => DateScalar)
  period!: Day;

  @Field(() => String, { nullable: true })
  segment!: string | null;

  @Field(() => Int, { description: 'distinct sessions with any event in the period' })
  sessions!: number;

  @Field(() => Int, { description: 'distinct sessions with >= 1 crash event' })
  crashedSessions!: number;

  @Field(() => Float, { description: 'crashedSessions / sessions' })
  crashRate!: number;

  @Field(() => SafeIntScalar, { description: 'crash events' })
  crashes!: number;

  @Field(() => Int)
  activeUsers!: number;

  @Field(() => Int)
  crashedUsers!: number;

  @Field(() => Float, { description: '1 - crashedUsers / activeUsers' })
  crashFreeUsersRate!: number;
}

@ObjectType('RetentionCohort')
export class RetentionCohortType {
  @Field(() => DateScalar, { description: 'first day of the cohort period' })
  cohort!: Day;

  @Field(() => Int, { description: 'users first seen in that period' })
  size!: number;

  @Field(() => [Int], { description: 'retained[k]: users of the cohort active in period cohort+k; retained[0] = size' })
  retained!: number[];

  @Field(() => [Float], { description: 'retained[k] / size' })
  rates!: number[];
}
