/** The event a deployed product sends (ingest.md). */
export const EVENT_TYPES = [
  'session_start',
  'session_end',
  'feature_used',
  'performance',
  'crash',
  'error',
  'interaction',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type PropertyValue = string | number | boolean;

/** The wire shape, as a client sends it. Anything may be missing or wrong: validate first. */
export interface TelemetryEventInput {
  eventId: string;
  timestamp: string;
  type: EventType;
  productId: string;
  userId: string;
  sessionId: string;
  name?: string;
  value?: number;
  appVersion?: string;
  os?: string;
  osVersion?: string;
  country?: string;
  licenseId?: string;
  licenseType?: string;
  properties?: Record<string, PropertyValue>;
}

/**
 * An event that passed validation and scrubbing, with defaults applied and the timestamp in UTC
 * milliseconds. Identifiers are still raw here: the engine pseudonymizes userId/licenseId with its
 * keyed hash before anything is written.
 */
export interface ValidatedEvent {
  readonly eventId: string;
  readonly timestampMs: number;
  readonly type: EventType;
  readonly productId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly name: string | null;
  readonly value: number | null;
  readonly appVersion: string;
  readonly os: string;
  readonly osVersion: string | null;
  readonly country: string;
  readonly licenseId: string | null;
  readonly licenseType: string;
  readonly properties: Readonly<Record<string, PropertyValue>> | null;
}

/** Per-event rejection codes of ingest.md. */
export type RejectionCode =
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_type'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'duplicate_in_batch';

export interface Rejection {
  readonly index: number;
  readonly code: RejectionCode;
  /** Names the field and the rule, e.g. `productId must match [A-Za-z0-9._-]{1,64}`. */
  readonly message: string;
  readonly field?: string;
}

/** The answer to one batch (ingest.md), the same for the library and the HTTP endpoint. */
export interface IngestResult {
  readonly telemetryEnabled: boolean;
  readonly accepted: number;
  readonly rejected: readonly Rejection[];
  readonly droppedFields: number;
  /** true when an Idempotency-Key repeated an earlier batch: this answer is the first one's. */
  readonly duplicate: boolean;
}

export const DEFAULT_APP_VERSION = 'unknown';
export const DEFAULT_OS = 'unknown';
export const DEFAULT_COUNTRY = 'ZZ';
export const DEFAULT_LICENSE_TYPE = 'unknown';

/** Batch limits of the HTTP endpoint (ingest.md). */
export const MAX_EVENTS_PER_BATCH = 10_000;
export const MAX_BATCH_BYTES = 10 * 1024 * 1024;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
export const IDEMPOTENCY_WINDOW_MS = 7 * 86_400_000;
/** Allowed lead of an event timestamp over the server clock. */
export const MAX_FUTURE_MS = 24 * 3_600_000;
/** sentAt vs receive time beyond this shifts the batch's timestamps (ingest.md). */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;
