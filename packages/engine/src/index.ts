export { TelemetryEngine, type EngineInternals } from './telemetry-engine.ts';
export type {
  AuditEntry,
  AuditKind,
  ExportInfo,
  ExportRequest,
  IngestOptions,
  PendingDeletion,
  ScanQuery,
  SettingsChange,
  StoredEventRow,
  Subject,
  TelemetryEngineApi,
} from './engine.ts';
export type { EngineLogger, EngineOptions } from './options.ts';
export type { BatchAggregator } from './aggregate/aggregator.ts';
export { RAW_COLUMNS, DIMENSION_COLUMNS, FILTER_COLUMNS } from './storage/columns.ts';
