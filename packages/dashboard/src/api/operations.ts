/**
 * Every GraphQL operation the dashboard sends, next to the shape of its answer. Field names follow
 * /spec/api.graphql; the two outside the contract (storageEstimate, settingsHistory) are extras of
 * this API, and the settings page works without them.
 */
import type {
  ActiveUsersPoint,
  CrashRatePoint,
  DateRange,
  ExportDataset,
  ExportFormat,
  FeatureAdoption,
  Granularity,
  LatencyPoint,
  RetentionCohort,
  SegmentFilter,
  StorageStatus,
  TelemetrySettings,
} from '@telemetry/schema';

export interface SegmentArgs {
  readonly range: DateRange;
  readonly filter: SegmentFilter | null;
}

export const SETTINGS_QUERY = /* GraphQL */ `
  query TelemetrySettings { settings { enabled storageDurationDays updatedAt } }`;
export type SettingsResult = { settings: TelemetrySettings };

export const UPDATE_SETTINGS_MUTATION = /* GraphQL */ `
  mutation UpdateTelemetrySettings($input: TelemetrySettingsInput!) {
    updateSettings(input: $input) { enabled storageDurationDays updatedAt }
  }`;
export type UpdateSettingsResult = { updateSettings: TelemetrySettings };

export const STORAGE_QUERY = /* GraphQL */ `
  query StorageStatus {
    storage {
      totalEvents totalBytes oldestDay newestDay aggregatedFrom
      partitions { day events bytes files aggregated }
    }
  }`;
export type StorageResult = { storage: StorageStatus };

/** What storage would keep, and the next retention run delete, with another storage duration. */
export interface StorageEstimate {
  storageDurationDays: number;
  oldestKeptDay: string;
  deletedDays: number;
  deletedEvents: number;
  keptEvents: number;
  keptBytes: number;
}
/** Not in the contract: the API's preview for the Storage Duration field. */
export const STORAGE_ESTIMATE_QUERY = /* GraphQL */ `
  query StorageEstimate($days: Int!) {
    storageEstimate(storageDurationDays: $days) {
      storageDurationDays oldestKeptDay deletedDays deletedEvents keptEvents keptBytes
    }
  }`;
export type StorageEstimateResult = { storageEstimate: StorageEstimate };

export interface SettingsSnapshot {
  enabled: boolean;
  storageDurationDays: number;
}
export interface SettingsChange {
  at: string;
  /** ActorRole: ADMIN, VIEWER, INGEST, LIBRARY, SYSTEM. */
  role: string;
  previous: SettingsSnapshot;
  current: SettingsSnapshot;
}
/** Not in the contract: every settings change, newest first. */
export const SETTINGS_HISTORY_QUERY = /* GraphQL */ `
  query SettingsHistory($limit: Int) {
    settingsHistory(limit: $limit) {
      at role
      previous: old { enabled storageDurationDays }
      current: new { enabled storageDurationDays }
    }
  }`;
export type SettingsHistoryResult = { settingsHistory: SettingsChange[] };

export const ACTIVE_USERS_QUERY = /* GraphQL */ `
  query ActiveUsers($range: DateRange!, $filter: SegmentFilter) {
    activeUsers(range: $range, filter: $filter) { day dau wau mau stickiness }
  }`;
export type ActiveUsersResult = { activeUsers: ActiveUsersPoint[] };

export const FEATURE_ADOPTION_QUERY = /* GraphQL */ `
  query FeatureAdoption($range: DateRange!, $filter: SegmentFilter) {
    featureAdoption(range: $range, filter: $filter) {
      feature activeUsers adopters adoptionRate uses repeatAdopters firstSeen medianDaysToFirstUse
    }
  }`;
export type FeatureAdoptionResult = { featureAdoption: FeatureAdoption[] };

export interface LatencyArgs extends SegmentArgs {
  readonly metric: string;
  readonly granularity: Granularity;
}
export const LATENCY_BY_OS_QUERY = /* GraphQL */ `
  query LatencyByOs($range: DateRange!, $filter: SegmentFilter, $metric: String!, $granularity: Granularity) {
    latency(range: $range, filter: $filter, metric: $metric, granularity: $granularity, breakdownBy: OS) {
      period segment count p50 p90 p95 p99
    }
  }`;
export type LatencyResult = { latency: LatencyPoint[] };

export interface CrashArgs extends SegmentArgs {
  readonly granularity: Granularity;
}
export const CRASH_BY_VERSION_QUERY = /* GraphQL */ `
  query CrashRateByVersion($range: DateRange!, $filter: SegmentFilter, $granularity: Granularity) {
    crashRate(range: $range, filter: $filter, granularity: $granularity, breakdownBy: APP_VERSION) {
      period segment sessions crashedSessions crashRate crashes activeUsers crashedUsers crashFreeUsersRate
    }
  }`;
export type CrashRateResult = { crashRate: CrashRatePoint[] };

export interface RetentionArgs extends SegmentArgs {
  readonly granularity: Granularity;
  readonly periods: number;
}
export const RETENTION_QUERY = /* GraphQL */ `
  query RetentionCohorts($range: DateRange!, $filter: SegmentFilter, $granularity: Granularity, $periods: Int) {
    retentionCohorts(range: $range, filter: $filter, granularity: $granularity, periods: $periods) {
      cohort size retained rates
    }
  }`;
export type RetentionResult = { retentionCohorts: RetentionCohort[] };

/**
 * The values seen for each filter dimension, most active first: the choices of the filter menus.
 * One request with an alias per dimension over the last day of the range (its MAU window).
 */
export const FILTER_VALUES_QUERY = /* GraphQL */ `
  query FilterValues($range: DateRange!) {
    products: activeUsers(range: $range, breakdownBy: PRODUCT) { segment mau }
    appVersions: activeUsers(range: $range, breakdownBy: APP_VERSION) { segment mau }
    os: activeUsers(range: $range, breakdownBy: OS) { segment mau }
    countries: activeUsers(range: $range, breakdownBy: COUNTRY) { segment mau }
    licenseTypes: activeUsers(range: $range, breakdownBy: LICENSE_TYPE) { segment mau }
  }`;
export type FilterValuesResult = Record<keyof Required<SegmentFilter>, { segment: string | null; mau: number }[]>;

export interface ExportResultInfo {
  id: string;
  url: string;
  format: ExportFormat;
  dataset: ExportDataset;
  rows: number;
  bytes: number;
  expiresAt: string;
}
export const CREATE_EXPORT_MUTATION = /* GraphQL */ `
  mutation CreateExport($dataset: ExportDataset!, $format: ExportFormat!, $range: DateRange!, $filter: SegmentFilter) {
    createExport(dataset: $dataset, format: $format, range: $range, filter: $filter) {
      id url format dataset rows bytes expiresAt
    }
  }`;
export type CreateExportResult = { createExport: ExportResultInfo };
