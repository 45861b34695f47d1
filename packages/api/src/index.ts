/** The public surface of @telemetry/api. */
export { startServer, DEFAULT_SERVER_LIMITS, DEFAULT_SERVER_MEMORY_LIMIT, SERVER_DUCKDB_SETTINGS, type StartServerOptions, type RunningServer, type ServerLimits } from './server.ts';
export {
  createTelemetryClient,
  TelemetryApiError,
  type TelemetryClient,
  type TelemetryClientOptions,
  type SettingsView,
  type PendingDeletionView,
  type SettingsChangeView,
  type SettingsSnapshotView,
  type AuditEntryView,
  type AuditKindName,
  type ActorRoleName,
  type StorageEstimateView,
  type ExportView,
  type RetentionReportView,
  type ActiveUsersQuery,
  type FeatureAdoptionQuery,
  type LatencyQuery,
  type CrashRateQuery,
  type RetentionCohortsQuery,
  type CreateExportInput,
  type SubjectInput,
} from './client/telemetry-client.ts';
export { createIngestClient, gzip, type IngestClient, type SendOptions, type SendResult } from './client/ingest-client.ts';
export { loadOrCreateCredentials, formatGeneratedCredentials, CREDENTIALS_FILE, type Credentials, type LoadedCredentials } from './config/credentials.ts';
export { readEnvConfig, type EnvConfig } from './config/env.ts';
export { TokenVerifier, type ApiTokens, type TokenRole } from './auth/tokens.ts';
export { RetentionScheduler, type RetentionSchedulerOptions, type SchedulerTimers } from './scheduler/retention-scheduler.ts';
export { createJsonLogger, silentLogger, type Logger } from './log/logger.ts';
export { telemetrySchema } from './graphql/schema.ts';
export { DEFAULT_QUERY_LIMITS, type QueryLimits } from './graphql/limits.ts';
