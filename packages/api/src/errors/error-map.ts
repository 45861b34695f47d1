import type { ErrorCode } from '@telemetry/schema';

/**
 * The one table that maps the stable codes of TelemetryError (packages/schema/src/errors.ts) to
 * what clients see: the GraphQL `extensions.code`, the HTTP status of the REST routes, and
 * whether the error's own message may be shown. Everything that answers an error reads it here.
 */
export interface ErrorMapping {
  /** `extensions.code` in GraphQL answers. */
  readonly graphqlCode: string;
  /** Status of a REST answer (GraphQL field errors stay HTTP 200 by convention). */
  readonly httpStatus: number;
  /** `error.code` of a REST answer (ingest.md uses lower snake case). */
  readonly restCode: string;
  /** Whether `message` is written for clients; otherwise a generic text replaces it. */
  readonly exposeMessage: boolean;
  /** Clients may retry later (`Retry-After` on REST answers). */
  readonly retryable: boolean;
}

const ERROR_MAP: Readonly<Record<ErrorCode, ErrorMapping>> = {
  BAD_USER_INPUT: { graphqlCode: 'BAD_USER_INPUT', httpStatus: 400, restCode: 'bad_request', exposeMessage: true, retryable: false },
  RAW_DATA_EXPIRED: { graphqlCode: 'RAW_DATA_EXPIRED', httpStatus: 409, restCode: 'raw_data_expired', exposeMessage: true, retryable: false },
  UNAUTHENTICATED: { graphqlCode: 'UNAUTHENTICATED', httpStatus: 401, restCode: 'unauthenticated', exposeMessage: true, retryable: false },
  FORBIDDEN: { graphqlCode: 'FORBIDDEN', httpStatus: 403, restCode: 'forbidden', exposeMessage: true, retryable: false },
  NOT_FOUND: { graphqlCode: 'NOT_FOUND', httpStatus: 404, restCode: 'not_found', exposeMessage: true, retryable: false },
  TELEMETRY_DISABLED: { graphqlCode: 'TELEMETRY_DISABLED', httpStatus: 409, restCode: 'telemetry_disabled', exposeMessage: true, retryable: false },
  // The message names a local path: operators read it in the log, clients get the generic text.
  DATA_DIR_LOCKED: { graphqlCode: 'INTERNAL_SERVER_ERROR', httpStatus: 500, restCode: 'internal', exposeMessage: false, retryable: false },
  ENGINE_CLOSED: { graphqlCode: 'SERVICE_UNAVAILABLE', httpStatus: 503, restCode: 'unavailable', exposeMessage: false, retryable: true },
  OVERLOADED: { graphqlCode: 'OVERLOADED', httpStatus: 503, restCode: 'overloaded', exposeMessage: true, retryable: true },
  PAYLOAD_TOO_LARGE: { graphqlCode: 'PAYLOAD_TOO_LARGE', httpStatus: 413, restCode: 'payload_too_large', exposeMessage: true, retryable: false },
  INVALID_BODY: { graphqlCode: 'BAD_REQUEST', httpStatus: 400, restCode: 'invalid_body', exposeMessage: true, retryable: false },
  INTERNAL: { graphqlCode: 'INTERNAL_SERVER_ERROR', httpStatus: 500, restCode: 'internal', exposeMessage: false, retryable: false },
};

/** What an unexpected error (a bug, a disk failure) becomes: nothing internal reaches a client. */
export const INTERNAL_ERROR_MAPPING: ErrorMapping = ERROR_MAP.INTERNAL;
export const GENERIC_INTERNAL_MESSAGE = 'internal server error';
export const GENERIC_UNAVAILABLE_MESSAGE = 'the server is shutting down or not ready; retry later';

/** A TelemetryError as seen from outside: duck-typed so a second copy of the schema package still matches. */
export interface CodedError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  readonly expiredDays?: readonly string[];
}

export function isCodedError(err: unknown): err is CodedError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && Object.hasOwn(ERROR_MAP, (err as unknown as { code: string }).code);
}

export function mappingOf(err: unknown): ErrorMapping {
  return isCodedError(err) ? ERROR_MAP[err.code] : INTERNAL_ERROR_MAPPING;
}

/** The message a client may read for `err`. */
export function clientMessage(err: unknown): string {
  if (!isCodedError(err)) return GENERIC_INTERNAL_MESSAGE;
  const m = ERROR_MAP[err.code];
  if (m.exposeMessage) return err.message;
  return m.retryable ? GENERIC_UNAVAILABLE_MESSAGE : GENERIC_INTERNAL_MESSAGE;
}

/** Whole seconds for `Retry-After`, at least 1. */
export function retryAfterSecondsOf(err: unknown, fallback = 1): number {
  const s = isCodedError(err) ? err.retryAfterSeconds : undefined;
  return Math.max(1, Math.ceil(typeof s === 'number' && Number.isFinite(s) ? s : fallback));
}
