import type {
  ActiveUsersArgs,
  ActiveUsersPoint,
  ActorRole,
  CrashRateArgs,
  CrashRatePoint,
  DateRange,
  DeletionReport,
  ExportDataset,
  ExportFormat,
  FeatureAdoption,
  FeatureAdoptionArgs,
  IngestResult,
  LatencyArgs,
  LatencyPoint,
  RetentionCohort,
  RetentionCohortsArgs,
  RetentionReport,
  SegmentFilter,
  StorageStatus,
  TelemetrySettings,
  TelemetrySettingsInput,
} from '@telemetry/schema';

/** What `ingest` takes besides the events. */
export interface IngestOptions {
  /** A batch repeated with the same key within 7 days is answered as the first was and stores nothing. */
  readonly idempotencyKey?: string;
  /** The client's send time (RFC 3339); a skew over 60 s shifts every timestamp of the batch. */
  readonly sentAt?: string;
}

/** A subject for erasure or access: exactly one of the two ids, raw (the engine hashes it). */
export type Subject = { readonly userId: string; readonly licenseId?: undefined } | { readonly licenseId: string; readonly userId?: undefined };

export interface ScanQuery {
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
  /** Only the events of one subject (a data access request). */
  readonly subject?: Subject;
}

/** One stored event as a data engineer reads it back (pseudonymized). */
export interface StoredEventRow {
  eventId: string;
  productId: string;
  timestamp: string;
  day: string;
  type: string;
  userHash: string;
  sessionId: string;
  name: string | null;
  value: number | null;
  appVersion: string;
  os: string;
  osVersion: string | null;
  country: string;
  licenseHash: string | null;
  licenseType: string;
  properties: Record<string, unknown> | null;
}

export interface ExportRequest {
  readonly dataset: ExportDataset;
  readonly format: ExportFormat;
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
}

export interface ExportInfo {
  id: string;
  format: ExportFormat;
  dataset: ExportDataset;
  rows: number;
  bytes: number;
  /** ISO instant after which the file is removed. */
  expiresAt: string;
  /** Absolute path of the finished file. */
  path: string;
}

export interface SettingsChange {
  at: string;
  role: ActorRole;
  old: TelemetrySettings;
  new: TelemetrySettings;
}

export type AuditKind = 'settings_changed' | 'retention_run' | 'subject_erased' | 'export_created' | 'aggregates_rebuilt';
export interface AuditEntry {
  at: string;
  kind: AuditKind;
  role: ActorRole;
  /** Kind-specific facts (never a subject's id). */
  details: Record<string, unknown>;
}

export interface PendingDeletion {
  /** Days that the next retention run would delete with the given duration. */
  days: number;
  events: number;
  oldestKeptDay: string;
}

/** The public surface of the engine, implemented by TelemetryEngine (telemetry-engine.ts). */
export interface TelemetryEngineApi {
  ingest(events: readonly unknown[], options?: IngestOptions): Promise<IngestResult>;
  /** A raw request body (JSON array, {events, sentAt}, or NDJSON), parsed and encoded off the main thread. */
  ingestBody(body: Uint8Array, options?: IngestOptions & { readonly contentType?: string; readonly maxEvents?: number }): Promise<IngestResult>;
  /** The last background load failure, or null. */
  loadError(): unknown;
  /** Resolves once every event acknowledged so far is in Parquet and in the aggregates. */
  flush(): Promise<void>;
  getSettings(): TelemetrySettings;
  updateSettings(input: TelemetrySettingsInput, role?: ActorRole): Promise<TelemetrySettings>;
  settingsHistory(): readonly SettingsChange[];
  pendingDeletion(storageDurationDays?: number): Promise<PendingDeletion>;
  storageStatus(): Promise<StorageStatus>;
  scan(query: ScanQuery): AsyncIterable<StoredEventRow>;
  activeUsers(args: ActiveUsersArgs): Promise<ActiveUsersPoint[]>;
  featureAdoption(args: FeatureAdoptionArgs): Promise<FeatureAdoption[]>;
  latency(args: LatencyArgs): Promise<LatencyPoint[]>;
  crashRate(args: CrashRateArgs): Promise<CrashRatePoint[]>;
  retentionCohorts(args: RetentionCohortsArgs): Promise<RetentionCohort[]>;
  rebuildAggregates(range: DateRange): Promise<{ days: number; events: number }>;
  runRetention(role?: ActorRole): Promise<RetentionReport>;
  deleteSubject(subject: Subject, role?: ActorRole): Promise<DeletionReport>;
  createExport(request: ExportRequest, role?: ActorRole): Promise<ExportInfo>;
  getExport(id: string): Promise<ExportInfo | null>;
  auditLog(options?: { limit?: number; kinds?: readonly AuditKind[] }): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
