/**
 * The GraphQL documents the typed client sends: every field of each result, so the client's
 * result types are the schema package's types as they are.
 */

const SETTINGS_FIELDS = 'enabled storageDurationDays updatedAt pendingDeletion { days events oldestKeptDay }';
const RANGE_VARS = '$range: DateRange!, $filter: SegmentFilter';

export const SETTINGS = `query Settings { settings { ${SETTINGS_FIELDS} } }`;

export const STORAGE = `query Storage {
  storage { totalEvents totalBytes oldestDay newestDay aggregatedFrom partitions { day events bytes files aggregated } }
}`;

export const ACTIVE_USERS = `query ActiveUsers(${RANGE_VARS}, $breakdownBy: Dimension, $precision: Precision) {
  activeUsers(range: $range, filter: $filter, breakdownBy: $breakdownBy, precision: $precision) { day segment dau wau mau stickiness }
}`;

export const FEATURE_ADOPTION = `query FeatureAdoption(${RANGE_VARS}, $features: [String!], $precision: Precision) {
  featureAdoption(range: $range, filter: $filter, features: $features, precision: $precision) {
    feature activeUsers adopters adoptionRate uses repeatAdopters firstSeen medianDaysToFirstUse
  }
}`;

export const LATENCY = `query Latency(${RANGE_VARS}, $metric: String!, $granularity: Granularity, $breakdownBy: Dimension, $precision: Precision) {
  latency(range: $range, metric: $metric, filter: $filter, granularity: $granularity, breakdownBy: $breakdownBy, precision: $precision) {
    period segment count p50 p90 p95 p99
  }
}`;

export const CRASH_RATE = `query CrashRate(${RANGE_VARS}, $granularity: Granularity, $breakdownBy: Dimension, $precision: Precision) {
  crashRate(range: $range, filter: $filter, granularity: $granularity, breakdownBy: $breakdownBy, precision: $precision) {
    period segment sessions crashedSessions crashRate crashes activeUsers crashedUsers crashFreeUsersRate
  }
}`;

export const RETENTION_COHORTS = `query RetentionCohorts(${RANGE_VARS}, $granularity: Granularity, $periods: Int) {
  retentionCohorts(range: $range, filter: $filter, granularity: $granularity, periods: $periods) { cohort size retained rates }
}`;

export const SETTINGS_HISTORY = `query SettingsHistory($limit: Int) {
  settingsHistory(limit: $limit) {
    at role
    old { enabled storageDurationDays updatedAt }
    new { enabled storageDurationDays updatedAt }
  }
}`;

export const AUDIT_LOG = `query AuditLog($limit: Int, $kinds: [AuditKind!]) {
  auditLog(limit: $limit, kinds: $kinds) { at kind role details }
}`;

export const STORAGE_ESTIMATE = `query StorageEstimate($storageDurationDays: Int!) {
  storageEstimate(storageDurationDays: $storageDurationDays) {
    storageDurationDays oldestKeptDay deletedDays deletedEvents keptEvents keptBytes
  }
}`;

export const UPDATE_SETTINGS = `mutation UpdateSettings($input: TelemetrySettingsInput!) {
  updateSettings(input: $input) { ${SETTINGS_FIELDS} }
}`;

export const RUN_RETENTION = `mutation RunRetention {
  runRetention { asOf droppedDays droppedEvents keptFrom failedDays durationMs }
}`;

export const DELETE_SUBJECT = `mutation DeleteSubject($userId: String, $licenseId: String) {
  deleteSubject(userId: $userId, licenseId: $licenseId) { eventsDeleted partitionsRewritten }
}`;

export const CREATE_EXPORT = `mutation CreateExport($dataset: ExportDataset!, $format: ExportFormat!, $range: DateRange!, $filter: SegmentFilter) {
  createExport(dataset: $dataset, format: $format, range: $range, filter: $filter) { id url format dataset rows bytes expiresAt }
}`;
