import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Day } from '@telemetry/schema';
import { ExportDataset, ExportFormat } from '../enums.ts';
import { DateScalar, DateTimeScalar, SafeIntScalar } from '../scalars.ts';

@ObjectType('RetentionReport')
export class RetentionReportType {
  @Field(() => DateScalar, { description: 'today (UTC) when the job ran' })
  asOf!: Day;

  @Field(() => [DateScalar])
  droppedDays!: Day[];

  @Field(() => SafeIntScalar)
  droppedEvents!: number;

  @Field(() => DateScalar, { description: 'oldest day kept: asOf - storageDurationDays' })
  keptFrom!: Day;

  @Field(() => [DateScalar], { nullable: true, description: 'days that were due but kept because their aggregation failed' })
  failedDays?: Day[] | null;

  @Field(() => Int, { nullable: true })
  durationMs?: number | null;
}

@ObjectType('DeletionReport')
export class DeletionReportType {
  @Field(() => SafeIntScalar)
  eventsDeleted!: number;

  @Field(() => Int)
  partitionsRewritten!: number;
}

@ObjectType('Export')
export class ExportType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'path on this server, e.g. /exports/<id>; GET it with the same token' })
  url!: string;

  @Field(() => ExportFormat)
  format!: string;

  @Field(() => ExportDataset)
  dataset!: string;

  @Field(() => SafeIntScalar)
  rows!: number;

  @Field(() => SafeIntScalar)
  bytes!: number;

  @Field(() => DateTimeScalar)
  expiresAt!: string;
}
