import { Field, InputType, Int } from 'type-graphql';
import type { Day } from '@telemetry/schema';
import { DateScalar } from '../scalars.ts';

@InputType('DateRange', { description: 'Both days inclusive; from <= to; at most 731 days apart.' })
export class DateRangeInput {
  @Field(() => DateScalar)
  from!: Day;

  @Field(() => DateScalar)
  to!: Day;
}

@InputType('SegmentFilter', {
  description: 'Each list is OR-ed within itself; the lists are AND-ed together. Absent or empty list = no constraint.',
})
export class SegmentFilterInput {
  @Field(() => [String], { nullable: true })
  products?: string[] | null;

  @Field(() => [String], { nullable: true })
  appVersions?: string[] | null;

  @Field(() => [String], { nullable: true })
  os?: string[] | null;

  @Field(() => [String], { nullable: true })
  countries?: string[] | null;

  @Field(() => [String], { nullable: true })
  licenseTypes?: string[] | null;
}

@InputType('TelemetrySettingsInput')
export class TelemetrySettingsInputType {
  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: '1..730' })
  storageDurationDays?: number | null;
}
