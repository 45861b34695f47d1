import { ArgsType, Field, Int } from 'type-graphql';
import type {
  Dimension as DimensionValue,
  ExportDataset as DatasetValue,
  ExportFormat as FormatValue,
  Granularity as GranularityValue,
  Precision as PrecisionValue,
} from '@telemetry/schema';
import type { AuditKind as AuditKindValue } from '@telemetry/engine';
import { AuditKind, Dimension, ExportDataset, ExportFormat, Granularity, Precision } from '../enums.ts';
import { DateRangeInput, SegmentFilterInput } from './inputs.ts';

/**
 * Arguments of the operations that take several, as classes so the schema lists them in the
 * contract's order (parameter decorators would list them backwards).
 */

@ArgsType()
export class ActiveUsersArgsType {
  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => Dimension, { nullable: true })
  breakdownBy?: DimensionValue | null;

  @Field(() => Precision, { nullable: true, defaultValue: 'APPROXIMATE' })
  precision?: PrecisionValue | null;
}

@ArgsType()
export class FeatureAdoptionArgsType {
  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => [String], { nullable: true })
  features?: string[] | null;

  @Field(() => Precision, { nullable: true, defaultValue: 'APPROXIMATE' })
  precision?: PrecisionValue | null;
}

@ArgsType()
export class LatencyArgsType {
  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => String)
  metric!: string;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => Granularity, { nullable: true, defaultValue: 'DAY' })
  granularity?: GranularityValue | null;

  @Field(() => Dimension, { nullable: true })
  breakdownBy?: DimensionValue | null;

  @Field(() => Precision, { nullable: true, defaultValue: 'APPROXIMATE' })
  precision?: PrecisionValue | null;
}

@ArgsType()
export class CrashRateArgsType {
  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => Granularity, { nullable: true, defaultValue: 'DAY' })
  granularity?: GranularityValue | null;

  @Field(() => Dimension, { nullable: true })
  breakdownBy?: DimensionValue | null;

  @Field(() => Precision, { nullable: true, defaultValue: 'APPROXIMATE' })
  precision?: PrecisionValue | null;
}

@ArgsType()
export class RetentionCohortsArgsType {
  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => Granularity, { nullable: true, defaultValue: 'WEEK' })
  granularity?: GranularityValue | null;

  @Field(() => Int, { nullable: true, defaultValue: 12 })
  periods?: number | null;
}

@ArgsType()
export class DeleteSubjectArgsType {
  @Field(() => String, { nullable: true })
  userId?: string | null;

  @Field(() => String, { nullable: true })
  licenseId?: string | null;
}

@ArgsType()
export class CreateExportArgsType {
  @Field(() => ExportDataset)
  dataset!: DatasetValue;

  @Field(() => ExportFormat)
  format!: FormatValue;

  @Field(() => DateRangeInput)
  range!: DateRangeInput;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;
}

@ArgsType()
export class AuditLogArgsType {
  @Field(() => Int, { nullable: true, defaultValue: 100, description: '1..1000' })
  limit?: number | null;

  @Field(() => [AuditKind], { nullable: true })
  kinds?: AuditKindValue[] | null;
}
