import { Field, Int, ObjectType } from 'type-graphql';
import type { Day } from '@telemetry/schema';
import { ActorRole } from '../enums.ts';
import { DateScalar, DateTimeScalar, SafeIntScalar } from '../scalars.ts';

@ObjectType('TelemetrySettings')
export class TelemetrySettingsType {
  @Field(() => Boolean, { description: 'default false' })
  enabled!: boolean;

  @Field(() => Int, { description: '1..730, default 90' })
  storageDurationDays!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'null until first changed' })
  updatedAt!: string | null;

  // pendingDeletion: a field resolver in SettingsResolver.
}

@ObjectType('PendingDeletion', { description: 'What the next retention run would delete with a storage duration.' })
export class PendingDeletionType {
  @Field(() => Int, { description: 'day partitions that would be dropped' })
  days!: number;

  @Field(() => SafeIntScalar, { description: 'raw events in those days' })
  events!: number;

  @Field(() => DateScalar, { description: 'the oldest day that would be kept' })
  oldestKeptDay!: Day;
}

@ObjectType('SettingsSnapshot', { description: 'The settings as they were before or after one change.' })
export class SettingsSnapshotType {
  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Int)
  storageDurationDays!: number;

  @Field(() => DateTimeScalar, { nullable: true })
  updatedAt!: string | null;
}

@ObjectType('SettingsChange')
export class SettingsChangeType {
  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => ActorRole)
  role!: string;

  @Field(() => SettingsSnapshotType)
  old!: SettingsSnapshotType;

  @Field(() => SettingsSnapshotType)
  new!: SettingsSnapshotType;
}

@ObjectType('StorageEstimate', { description: 'What storage would hold with a given storage duration, from the data now stored.' })
export class StorageEstimateType {
  @Field(() => Int)
  storageDurationDays!: number;

  @Field(() => DateScalar, { description: 'the oldest day kept with this duration' })
  oldestKeptDay!: Day;

  @Field(() => Int, { description: 'day partitions the next retention run would drop' })
  deletedDays!: number;

  @Field(() => SafeIntScalar)
  deletedEvents!: number;

  @Field(() => SafeIntScalar)
  keptEvents!: number;

  @Field(() => SafeIntScalar)
  keptBytes!: number;
}
