/**
 * Every error the engine and API raise on purpose carries a stable `code`; the API maps codes to
 * GraphQL extensions and HTTP statuses in one place. Messages name the field and the rule.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'RAW_DATA_EXPIRED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'TELEMETRY_DISABLED'
  | 'DATA_DIR_LOCKED'
  | 'ENGINE_CLOSED'
  | 'OVERLOADED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_BODY'
  | 'INTERNAL';

export class TelemetryError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A caller's argument breaks a rule; `field` names the argument (e.g. `range.from`). */
export class BadInputError extends TelemetryError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', message);
    this.field = field;
  }
}

/** An EXACT query reaches a day whose raw events were dropped by retention. */
export class RawDataExpiredError extends TelemetryError {
  readonly expiredDays: readonly string[];
  constructor(expiredDays: readonly string[]) {
    const first = expiredDays[0];
    super(
      'RAW_DATA_EXPIRED',
      `raw events for ${expiredDays.length} day(s) of the range (first: ${first}) were deleted by retention; use precision APPROXIMATE`,
    );
    this.expiredDays = expiredDays;
  }
}

/** Another engine (this process or another) already owns the data directory. */
export class DataDirLockedError extends TelemetryError {
  constructor(dir: string, detail: string) {
    super('DATA_DIR_LOCKED', `data directory ${dir} is already open by another engine (${detail}); one process owns a data directory`);
  }
}

export class EngineClosedError extends TelemetryError {
  constructor() {
    super('ENGINE_CLOSED', 'the engine is closed');
  }
}

/** The write queue is full: retry after `retryAfterSeconds`. */
export class OverloadedError extends TelemetryError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'the write queue is full; retry later') {
    super('OVERLOADED', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class NotFoundError extends TelemetryError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}
