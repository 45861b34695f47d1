import { ClientError, GraphQLClient } from 'graphql-request';
import type {
  ActiveUsersPoint,
  CrashRatePoint,
  DateRange,
  DeletionReport,
  Dimension,
  ExportDataset,
  ExportFormat,
  FeatureAdoption,
  Granularity,
  LatencyPoint,
  Precision,
  RetentionCohort,
  RetentionReport,
  SegmentFilter,
  StorageStatus,
  TelemetrySettings,
  TelemetrySettingsInput,
} from '@telemetry/schema';
import * as doc from './documents.ts';

/** Roles as the API spells them in results (lower case, as the engine records them). */
export type ActorRoleName = 'ADMIN' | 'VIEWER' | 'INGEST' | 'LIBRARY' | 'SYSTEM';
export type AuditKindName = 'SETTINGS_CHANGED' | 'RETENTION_RUN' | 'SUBJECT_ERASED' | 'EXPORT_CREATED' | 'AGGREGATES_REBUILT';

export interface PendingDeletionView {
  days: number;
  events: number;
  oldestKeptDay: string;
}
export interface SettingsView extends TelemetrySettings {
  pendingDeletion: PendingDeletionView;
}
export interface SettingsSnapshotView {
  enabled: boolean;
  storageDurationDays: number;
  updatedAt: string | null;
}
export interface SettingsChangeView {
  at: string;
  role: ActorRoleName;
  old: SettingsSnapshotView;
  new: SettingsSnapshotView;
}
export interface AuditEntryView {
  at: string;
  kind: AuditKindName;
  role: ActorRoleName;
  details: Record<string, unknown>;
}
export interface StorageEstimateView {
  storageDurationDays: number;
  oldestKeptDay: string;
  deletedDays: number;
  deletedEvents: number;
  keptEvents: number;
  keptBytes: number;
}
export interface ExportView {
  id: string;
  /** A path on the server (`/exports/<id>`); `download()` fetches it with the same token. */
  url: string;
  format: ExportFormat;
  dataset: ExportDataset;
  rows: number;
  bytes: number;
  expiresAt: string;
}
export type RetentionReportView = Omit<RetentionReport, 'failedDays' | 'durationMs'> & { failedDays: string[] | null; durationMs: number | null };

interface RangeArgs {
  range: DateRange | { from: string; to: string };
  filter?: SegmentFilter | null;
}
export interface ActiveUsersQuery extends RangeArgs {
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface FeatureAdoptionQuery extends RangeArgs {
  features?: readonly string[] | null;
  precision?: Precision;
}
export interface LatencyQuery extends RangeArgs {
  metric: string;
  granularity?: Granularity;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface CrashRateQuery extends RangeArgs {
  granularity?: Granularity;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}
export interface RetentionCohortsQuery extends RangeArgs {
  granularity?: Granularity;
  periods?: number;
}
export interface CreateExportInput extends RangeArgs {
  dataset: ExportDataset;
  format: ExportFormat;
}
export type SubjectInput = { userId: string; licenseId?: undefined } | { licenseId: string; userId?: undefined };

/**
 * An error answer of the API: `code` is `errors[0].extensions.code` (e.g. `BAD_USER_INPUT`,
 * `RAW_DATA_EXPIRED`, `UNAUTHENTICATED`, `FORBIDDEN`), `status` the HTTP status.
 */
export class TelemetryApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** The argument at fault for BAD_USER_INPUT (e.g. `range.from`), when the server names one. */
    readonly field: string | undefined,
    readonly errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>,
  ) {
    super(message);
    this.name = 'TelemetryApiError';
  }
}

/** The typed API client used by dashboards and tests: one method per GraphQL operation. */
export interface TelemetryClient {
  /** `http://host:port` of the server. */
  readonly baseUrl: string;
  settings(): Promise<SettingsView>;
  storage(): Promise<StorageStatus>;
  activeUsers(q: ActiveUsersQuery): Promise<ActiveUsersPoint[]>;
  featureAdoption(q: FeatureAdoptionQuery): Promise<FeatureAdoption[]>;
  latency(q: LatencyQuery): Promise<LatencyPoint[]>;
  crashRate(q: CrashRateQuery): Promise<CrashRatePoint[]>;
  retentionCohorts(q: RetentionCohortsQuery): Promise<RetentionCohort[]>;
  settingsHistory(limit?: number): Promise<SettingsChangeView[]>;
  auditLog(q?: { limit?: number; kinds?: readonly AuditKindName[] }): Promise<AuditEntryView[]>;
  storageEstimate(storageDurationDays: number): Promise<StorageEstimateView>;
  updateSettings(input: TelemetrySettingsInput): Promise<SettingsView>;
  runRetention(): Promise<RetentionReportView>;
  deleteSubject(subject: SubjectInput): Promise<DeletionReport>;
  createExport(input: CreateExportInput): Promise<ExportView>;
  /** GETs an export's file (`ExportView.url` or `/exports/<id>`) with this client's token. */
  download(exportOrPath: ExportView | string): Promise<Response>;
  /** Any other operation, e.g. a dashboard's own selection of fields. */
  request<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface TelemetryClientOptions {
  /** A fetch implementation (default: the global one). */
  readonly fetch?: typeof fetch;
  readonly headers?: Record<string, string>;
}

/**
 * Creates a client for the telemetry GraphQL API with the admin or viewer token.
 *
 * @example
 * const api = createTelemetryClient('http://localhost:4000', process.env.TELEMETRY_VIEWER_TOKEN!);
 * const points = await api.activeUsers({ range: { from: '2024-05-01', to: '2024-05-31' }, breakdownBy: 'OS' });
 */
export function createTelemetryClient(url: string, token: string, options: TelemetryClientOptions = {}): TelemetryClient {
  const baseUrl = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers = { ...options.headers, authorization: `Bearer ${token}` };
  const gql = new GraphQLClient(`${baseUrl}/graphql`, { headers, fetch: fetchImpl });

  async function call<T>(document: string, variables?: Record<string, unknown>): Promise<T> {
    try {
      return await gql.request<T>(document, variables);
    } catch (err) {
      throw toApiError(err);
    }
  }
  const pick = <K extends string>(key: K) => async <T>(document: string, variables?: Record<string, unknown>): Promise<T> =>
    (await call<Record<K, T>>(document, variables))[key];

  return {
    baseUrl,
    settings: () => pick('settings')(doc.SETTINGS),
    storage: () => pick('storage')(doc.STORAGE),
    activeUsers: (q) => pick('activeUsers')(doc.ACTIVE_USERS, { ...q }),
    featureAdoption: (q) => pick('featureAdoption')(doc.FEATURE_ADOPTION, { ...q }),
    latency: (q) => pick('latency')(doc.LATENCY, { ...q }),
    crashRate: (q) => pick('crashRate')(doc.CRASH_RATE, { ...q }),
    retentionCohorts: (q) => pick('retentionCohorts')(doc.RETENTION_COHORTS, { ...q }),
    settingsHistory: (limit) => pick('settingsHistory')(doc.SETTINGS_HISTORY, { limit }),
    auditLog: (q = {}) => pick('auditLog')(doc.AUDIT_LOG, { ...q }),
    storageEstimate: (storageDurationDays) => pick('storageEstimate')(doc.STORAGE_ESTIMATE, { storageDurationDays }),
    updateSettings: (input) => pick('updateSettings')(doc.UPDATE_SETTINGS, { input }),
    runRetention: () => pick('runRetention')(doc.RUN_RETENTION),
    deleteSubject: (subject) => pick('deleteSubject')(doc.DELETE_SUBJECT, { ...subject }),
    createExport: (input) => pick('createExport')(doc.CREATE_EXPORT, { ...input }),
    download: (exportOrPath) => {
      const path = typeof exportOrPath === 'string' ? exportOrPath : exportOrPath.url;
      return fetchImpl(new URL(path, `${baseUrl}/`), { headers: { authorization: `Bearer ${token}` } });
    },
    request: call,
  };
}

function toApiError(err: unknown): unknown {
  if (!(err instanceof ClientError)) return err;
  const errors = (err.response.errors ?? []) as ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : `HTTP_${err.response.status}`;
  const field = typeof first?.extensions?.field === 'string' ? first.extensions.field : undefined;
  return new TelemetryApiError(first?.message ?? `HTTP ${err.response.status}`, code, err.response.status, field, errors);
}
