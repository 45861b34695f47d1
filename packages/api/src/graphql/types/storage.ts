import { Field, Int, ObjectType } from 'type-graphql';
import type { Day } from '@telemetry/schema';
import { DateScalar, SafeIntScalar } from '../scalars.ts';

@ObjectType('Partition')
export class PartitionType {
  @Field(() => DateScalar)
  day!: Day;

  @Field(() => SafeIntScalar)
  events!: number;

  @Field(() => SafeIntScalar)
  bytes!: number;

  @Field(() => Int)
  files!: number;

  @Field(() => Boolean, { description: 'true once every event now in it is reflected in the aggregates' })
  aggregated!: boolean;
}

@ObjectType('StorageStatus')
export class StorageStatusType {
  @Field(() => SafeIntScalar, { description: 'raw events stored now (after dedup); polled to know ingest has landed' })
  totalEvents!: number;

  @Field(() => SafeIntScalar)
  totalBytes!: number;

  @Field(() => DateScalar, { nullable: true })
  oldestDay!: Day | null;

  @Field(() => DateScalar, { nullable: true })
  newestDay!: Day | null;

  @Field(() => [PartitionType], { complexity: 5 })
  partitions!: PartitionType[];

  @Field(() => DateScalar, { nullable: true, description: 'the oldest day that aggregates cover (may be older than oldestDay)' })
  aggregatedFrom!: Day | null;
}
