import type { Day } from './day.ts';

export const GRANULARITIES = ['DAY', 'WEEK', 'MONTH'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const PRECISIONS = ['APPROXIMATE', 'EXACT'] as const;
export type Precision = (typeof PRECISIONS)[number];
export const DIMENSIONS = ['PRODUCT', 'APP_VERSION', 'OS', 'COUNTRY', 'LICENSE_TYPE'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const EXPORT_FORMATS = ['PARQUET', 'CSV', 'NDJSON', 'ARROW'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_DATASETS = ['EVENTS', 'DAILY_AGGREGATES'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

/** Both days inclusive; from <= to; at most MAX_RANGE_DAYS apart. */
export interface DateRange {
  readonly from: Day;
  readonly to: Day;
}
export const MAX_RANGE_DAYS = 731;

/** Each list is OR-ed within itself; the lists are AND-ed together. Absent or empty: no constraint. */
export interface SegmentFilter {
  readonly products?: readonly string[] | null;
  readonly appVersions?: readonly string[] | null;
  readonly os?: readonly string[] | null;
  readonly countries?: readonly string[] | null;
  readonly licenseTypes?: readonly string[] | null;
}

export interface ActiveUsersArgs {
  range: DateRange;
  filter?: SegmentFilter | null;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface FeatureAdoptionArgs {
  range: DateRange;
  filter?: SegmentFilter | null;
  features?: readonly string[] | null;
  precision?: Precision;
}
export interface LatencyArgs {
  range: DateRange;
  metric: string;
  filter?: SegmentFilter | null;
  granularity?: Granularity;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface CrashRateArgs {
  range: DateRange;
  filter?: SegmentFilter | null;
  granularity?: Granularity;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface RetentionCohortsArgs {
  range: DateRange;
  filter?: SegmentFilter | null;
  granularity?: Granularity;
  periods?: number;
}

export interface ActiveUsersPoint {
  day: Day;
  segment: string | null;
  dau: number;
  wau: number;
  mau: number;
  stickiness: number;
}
export interface FeatureAdoption {
  feature: string;
  activeUsers: number;
  adopters: number;
  adoptionRate: number;
  uses: number;
  repeatAdopters: number;
  firstSeen: Day;
  medianDaysToFirstUse: number | null;
}
export interface LatencyPoint {
  period: Day;
  segment: string | null;
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}
export interface CrashRatePoint {
  period: Day;
  segment: string | null;
  sessions: number;
  crashedSessions: number;
  crashRate: number;
  crashes: number;
  activeUsers: number;
  crashedUsers: number;
  crashFreeUsersRate: number;
}
export interface RetentionCohort {
  cohort: Day;
  size: number;
  retained: number[];
  rates: number[];
}

export interface Partition {
  day: Day;
  events: number;
  bytes: number;
  files: number;
  aggregated: boolean;
}
export interface StorageStatus {
  totalEvents: number;
  totalBytes: number;
  oldestDay: Day | null;
  newestDay: Day | null;
  partitions: Partition[];
  aggregatedFrom: Day | null;
}
export interface RetentionReport {
  asOf: Day;
  droppedDays: Day[];
  droppedEvents: number;
  keptFrom: Day;
  /** Days that were due but kept because their aggregation failed. */
  failedDays?: Day[];
  durationMs?: number;
}
export interface DeletionReport {
  eventsDeleted: number;
  partitionsRewritten: number;
}
