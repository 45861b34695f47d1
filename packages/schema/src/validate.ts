/**
 * Per-event validation of ingest.md's field table: required fields, types, lengths and charsets,
 * defaults for absent optional fields, dropping of fields the table does not know (privacy), and
 * scrubbing of free text. Runs once per ingested event, so it allocates only the result, compiles
 * nothing per call, and answers rejections with shared frozen objects.
 */
import {
  DEFAULT_APP_VERSION,
  DEFAULT_COUNTRY,
  DEFAULT_LICENSE_TYPE,
  DEFAULT_OS,
  EVENT_TYPES,
  MAX_FUTURE_MS,
  type EventType,
  type PropertyValue,
  type RejectionCode,
  type ValidatedEvent,
} from './event.ts';
import { scrubText } from './scrub.ts';

export interface ValidationContext {
  /** Server receive time, ms since epoch (after any sentAt skew shift has been decided). */
  readonly nowMs: number;
  /** Events older than this (ms) are `timestamp_too_old` (start of the oldest kept UTC day). */
  readonly oldestAllowedMs: number;
  /** Added to every event's timestamp before the checks (clock-skew correction), default 0. */
  readonly shiftMs?: number;
}

export type EventValidation =
  | { readonly ok: true; readonly event: ValidatedEvent; readonly droppedFields: number }
  | { readonly ok: false; readonly code: RejectionCode; readonly field: string; readonly message: string };

type Rejection = Extract<EventValidation, { ok: false }>;

/** Limits of `properties` (ingest.md). */
export const MAX_PROPERTIES = 32;
export const MAX_PROPERTY_KEY_LENGTH = 64;
export const MAX_PROPERTY_STRING_LENGTH = 1024;

// ---------------------------------------------------------------------------------------------
// RFC 3339 timestamps
// ---------------------------------------------------------------------------------------------

// Shape only; field ranges are checked on the digits. RFC 3339's grammar is case-insensitive,
// so `t` and `z` are allowed; the offset is mandatory (a bare local time names no instant).
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Two ASCII digits at `i` as a number; the shape regex already guaranteed they are digits. */
function twoDigits(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil); unlike `Date.UTC`, year 0099 stays 99. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * Parses an RFC 3339 date-time with an offset (`Z` or `±HH:MM`) into UTC milliseconds; NaN when
 * `text` is not one (a date only, no offset, an impossible date such as Feb 30). Fractional
 * seconds may have any length and are truncated to milliseconds; a leap second (`:60`) counts as
 * the first second of the next minute. Hand-rolled rather than `Date.parse`, whose accepted
 * forms differ between engines (local times, rolled-over dates, years < 100 read as 19xx).
 *
 * @example
 * parseRfc3339('2024-03-01T23:30:00-02:00') // => Date.UTC(2024, 2, 2, 1, 30)
 * parseRfc3339('2024-03-01T23:30:00')       // => NaN
 */
export function parseRfc3339(text: string): number {
  if (!RFC3339_RE.test(text)) return NaN;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 60) return NaN;

  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    // The first three digits are the milliseconds; the rest is below our precision.
    let scale = 100;
    for (i++; ; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      ms += (c - 48) * scale;
      scale = scale > 1 ? scale / 10 : 0;
    }
  }

  let offsetMinutes = 0;
  const sign = text.charCodeAt(i);
  if (sign === 43 /* + */ || sign === 45 /* - */) {
    const offHour = twoDigits(text, i + 1);
    const offMinute = twoDigits(text, i + 4);
    if (offHour > 23 || offMinute > 59) return NaN;
    offsetMinutes = sign === 45 ? -(offHour * 60 + offMinute) : offHour * 60 + offMinute;
  }

  return (
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    ms
  );
}

// ---------------------------------------------------------------------------------------------
// Rules and their rejections
// ---------------------------------------------------------------------------------------------

// Rejections carry no per-event data, so one frozen object per rule serves every event.
function rejection(code: RejectionCode, field: string, message: string): Rejection {
  return Object.freeze({ ok: false as const, code, field, message });
}

interface StringRule {
  readonly max: number;
  readonly missing: Rejection;
  readonly invalid: Rejection;
}

function stringRule(field: string, max: number): StringRule {
  return {
    max,
    missing: rejection('missing_field', field, `${field} is required`),
    invalid: rejection('invalid_field', field, `${field} must be a string of 1..${max} characters`),
  };
}

const EVENT_ID = stringRule('eventId', 64);
const USER_ID = stringRule('userId', 128);
const SESSION_ID = stringRule('sessionId', 128);
const NAME = stringRule('name', 128);
const APP_VERSION = stringRule('appVersion', 64);
const OS = stringRule('os', 32);
const OS_VERSION = stringRule('osVersion', 64);
const LICENSE_ID = stringRule('licenseId', 128);
const LICENSE_TYPE = stringRule('licenseType', 32);

const NOT_AN_OBJECT = rejection('invalid_field', 'event', 'event must be a JSON object');
const TIMESTAMP_MISSING = rejection('missing_field', 'timestamp', 'timestamp is required');
const TIMESTAMP_INVALID = rejection(
  'invalid_field',
  'timestamp',
  'timestamp must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z',
);
const TIMESTAMP_TOO_OLD = rejection(
  'timestamp_too_old',
  'timestamp',
  'timestamp must not be older than the storage duration (the oldest kept day)',
);
const TIMESTAMP_IN_FUTURE = rejection(
  'timestamp_in_future',
  'timestamp',
  'timestamp must not be more than 24 h ahead of the server clock',
);
const TYPE_LIST = EVENT_TYPES.join(', ');
const TYPE_MISSING = rejection('missing_field', 'type', 'type is required');
const TYPE_INVALID = rejection('invalid_field', 'type', `type must be a string, one of ${TYPE_LIST}`);
const TYPE_UNKNOWN = rejection('unknown_type', 'type', `type must be one of ${TYPE_LIST}`);
const PRODUCT_ID_MISSING = rejection('missing_field', 'productId', 'productId is required');
const PRODUCT_ID_INVALID = rejection(
  'invalid_field',
  'productId',
  'productId must be 1..64 characters of [A-Za-z0-9._-]',
);
const PRODUCT_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const VALUE_INVALID = rejection('invalid_field', 'value', 'value must be a finite number >= 0');
const COUNTRY_INVALID = rejection(
  'invalid_field',
  'country',
  'country must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE',
);
const PROPERTIES_INVALID = rejection(
  'invalid_field',
  'properties',
  'properties must be a flat object of string, number or boolean values',
);
const PROPERTIES_TOO_MANY = rejection(
  'invalid_field',
  'properties',
  `properties must have at most ${MAX_PROPERTIES} keys`,
);
const PROPERTIES_KEY_INVALID = rejection(
  'invalid_field',
  'properties',
  `properties keys must be 1..${MAX_PROPERTY_KEY_LENGTH} characters`,
);

/** What each event type requires beyond the common fields (ingest.md, `name` and `value`). */
interface TypeRule {
  readonly type: EventType;
  /** The rejection when `name` is absent, or null where `name` is optional. */
  readonly nameMissing: Rejection | null;
  readonly valueMissing: Rejection | null;
}

function nameRequired(type: EventType, what: string): Rejection {
  return rejection('missing_field', 'name', `name is required for ${type} events (the ${what})`);
}

const TYPE_RULES: ReadonlyMap<string, TypeRule> = new Map<string, TypeRule>([
  ['session_start', { type: 'session_start', nameMissing: null, valueMissing: null }],
  ['session_end', { type: 'session_end', nameMissing: null, valueMissing: null }],
  ['feature_used', { type: 'feature_used', nameMissing: nameRequired('feature_used', 'feature'), valueMissing: null }],
  [
    'performance',
    {
      type: 'performance',
      nameMissing: nameRequired('performance', 'metric, e.g. startup'),
      valueMissing: rejection(
        'missing_field',
        'value',
        'value is required for performance events (a finite number >= 0, milliseconds for timings)',
      ),
    },
  ],
  ['crash', { type: 'crash', nameMissing: nameRequired('crash', 'exception type'), valueMissing: null }],
  ['error', { type: 'error', nameMissing: nameRequired('error', 'exception type'), valueMissing: null }],
  ['interaction', { type: 'interaction', nameMissing: nameRequired('interaction', 'target'), valueMissing: null }],
]);

/** The top-level fields of ingest.md's table; anything else is dropped and counted. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'eventId',
  'timestamp',
  'type',
  'productId',
  'userId',
  'sessionId',
  'name',
  'value',
  'appVersion',
  'os',
  'osVersion',
  'country',
  'licenseId',
  'licenseType',
  'properties',
]);

const ABSENT = 0;
const VALID = 1;
const INVALID = 2;

/** ABSENT for undefined or null (an explicit null means absent), VALID for a 1..max string. */
function stringStatus(v: unknown, max: number): number {
  if (v === undefined || v === null) return ABSENT;
  return typeof v === 'string' && v.length >= 1 && v.length <= max ? VALID : INVALID;
}

function isValidValue(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Two ASCII upper-case letters; the code list itself is not checked (a new code is not an error). */
function isCountryCode(v: string): boolean {
  if (v.length !== 2) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

function propertyValueRejection(key: string): Rejection {
  return rejection(
    'invalid_field',
    'properties',
    `properties.${key} must be a string of at most ${MAX_PROPERTY_STRING_LENGTH} characters, a finite number or a boolean`,
  );
}

/**
 * Checks `properties` and copies them into `out`, scrubbing string values; returns the rejection
 * or null. A copy, rather than the input, is kept so later changes to the caller's object cannot
 * reach stored data. (`out` is a parameter because a returned object could not be told from a
 * rejection: `{ "ok": false }` is a valid properties object.)
 */
function copyValidProperties(p: object, out: Record<string, PropertyValue>): Rejection | null {
  const proto = Object.getPrototypeOf(p);
  if (Array.isArray(p) || (proto !== Object.prototype && proto !== null)) return PROPERTIES_INVALID;
  const src = p as Record<string, unknown>;
  let count = 0;
  for (const key in src) {
    if (++count > MAX_PROPERTIES) return PROPERTIES_TOO_MANY;
    if (key.length < 1 || key.length > MAX_PROPERTY_KEY_LENGTH) return PROPERTIES_KEY_INVALID;
    let v = src[key];
    if (typeof v === 'string') {
      if (v.length > MAX_PROPERTY_STRING_LENGTH) return propertyValueRejection(key);
      v = scrubText(v);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return propertyValueRejection(key);
    } else if (typeof v !== 'boolean') {
      return propertyValueRejection(key);
    }
    // A JSON key `__proto__` is an own property of the input; plain assignment would hit the
    // prototype setter and silently lose it.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = v as PropertyValue;
    }
  }
  return null;
}

/** Top-level keys that ingest.md's table does not know; they are dropped, never stored. */
function countUnknownFields(o: object): number {
  let n = 0;
  for (const key in o) if (!KNOWN_FIELDS.has(key)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// validateEvent
// ---------------------------------------------------------------------------------------------

/**
 * Validates one wire event against ingest.md: fields in table order (the first broken rule is
 * reported: `missing_field`, `invalid_field` or `unknown_type`), then the shifted timestamp
 * against the kept window (`timestamp_too_old`, `timestamp_in_future`). A valid event comes back
 * with defaults applied, the timestamp in UTC ms including `ctx.shiftMs`, `name` and property
 * strings scrubbed, and the number of unknown top-level fields (e.g. `ip`) that were dropped.
 *
 * @example
 * const r = validateEvent(JSON.parse(line), { nowMs: clock.now(), oldestAllowedMs });
 * if (r.ok) stage(r.event); else rejected.push({ index, code: r.code, message: r.message });
 */
export function validateEvent(input: unknown, ctx: ValidationContext): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return NOT_AN_OBJECT;
  const o = input as Record<string, unknown>;

  const eventId = o.eventId;
  let s = stringStatus(eventId, EVENT_ID.max);
  if (s !== VALID) return s === ABSENT ? EVENT_ID.missing : EVENT_ID.invalid;

  const timestamp = o.timestamp;
  if (timestamp === undefined || timestamp === null) return TIMESTAMP_MISSING;
  if (typeof timestamp !== 'string') return TIMESTAMP_INVALID;
  const parsedMs = parseRfc3339(timestamp);
  if (parsedMs !== parsedMs /* NaN */) return TIMESTAMP_INVALID;

  const type = o.type;
  if (type === undefined || type === null) return TYPE_MISSING;
  if (typeof type !== 'string') return TYPE_INVALID;
  const rule = TYPE_RULES.get(type);
  if (rule === undefined) return TYPE_UNKNOWN;

  const productId = o.productId;
  if (productId === undefined || productId === null) return PRODUCT_ID_MISSING;
  if (typeof productId !== 'string' || !PRODUCT_ID_RE.test(productId)) return PRODUCT_ID_INVALID;

  const userId = o.userId;
  s = stringStatus(userId, USER_ID.max);
  if (s !== VALID) return s === ABSENT ? USER_ID.missing : USER_ID.invalid;

  const sessionId = o.sessionId;
  s = stringStatus(sessionId, SESSION_ID.max);
  if (s !== VALID) return s === ABSENT ? SESSION_ID.missing : SESSION_ID.invalid;

  // Known keys present, to tell cheaply whether any unknown key needs the Set lookups below.
  let knownKeys = 6;

  let name = o.name;
  if (name !== undefined) knownKeys++;
  s = stringStatus(name, NAME.max);
  if (s === INVALID) return NAME.invalid;
  if (s === ABSENT) {
    if (rule.nameMissing !== null) return rule.nameMissing;
    name = null;
  } else {
    name = scrubText(name as string);
  }

  let value = o.value;
  if (value !== undefined) knownKeys++;
  if (value === undefined || value === null) {
    if (rule.valueMissing !== null) return rule.valueMissing;
    value = null;
  } else if (!isValidValue(value)) {
    return VALUE_INVALID;
  }

  let appVersion = o.appVersion;
  if (appVersion !== undefined) knownKeys++;
  s = stringStatus(appVersion, APP_VERSION.max);
  if (s === INVALID) return APP_VERSION.invalid;
  if (s === ABSENT) appVersion = DEFAULT_APP_VERSION;

  let os = o.os;
  if (os !== undefined) knownKeys++;
  s = stringStatus(os, OS.max);
  if (s === INVALID) return OS.invalid;
  if (s === ABSENT) os = DEFAULT_OS;

  let osVersion = o.osVersion;
  if (osVersion !== undefined) knownKeys++;
  s = stringStatus(osVersion, OS_VERSION.max);
  if (s === INVALID) return OS_VERSION.invalid;
  if (s === ABSENT) osVersion = null;

  let country = o.country;
  if (country !== undefined) knownKeys++;
  if (country === undefined || country === null) country = DEFAULT_COUNTRY;
  else if (typeof country !== 'string' || !isCountryCode(country)) return COUNTRY_INVALID;

  let licenseId = o.licenseId;
  if (licenseId !== undefined) knownKeys++;
  s = stringStatus(licenseId, LICENSE_ID.max);
  if (s === INVALID) return LICENSE_ID.invalid;
  if (s === ABSENT) licenseId = null;

  let licenseType = o.licenseType;
  if (licenseType !== undefined) knownKeys++;
  s = stringStatus(licenseType, LICENSE_TYPE.max);
  if (s === INVALID) return LICENSE_TYPE.invalid;
  if (s === ABSENT) licenseType = DEFAULT_LICENSE_TYPE;

  const rawProperties = o.properties;
  if (rawProperties !== undefined) knownKeys++;
  let properties: Record<string, PropertyValue> | null = null;
  if (rawProperties !== undefined && rawProperties !== null) {
    if (typeof rawProperties !== 'object') return PROPERTIES_INVALID;
    properties = {};
    const rejected = copyValidProperties(rawProperties, properties);
    if (rejected !== null) return rejected;
  }

  const timestampMs = parsedMs + (ctx.shiftMs ?? 0);
  if (timestampMs < ctx.oldestAllowedMs) return TIMESTAMP_TOO_OLD;
  if (timestampMs > ctx.nowMs + MAX_FUTURE_MS) return TIMESTAMP_IN_FUTURE;

  // Counting keys is much cheaper than a Set lookup per key; only a mismatch (an unknown key, or
  // a known one holding `undefined`) needs the exact count.
  let keys = 0;
  for (const _ in o) keys++;
  const droppedFields = keys === knownKeys ? 0 : countUnknownFields(o);

  const event: ValidatedEvent = {
    eventId: eventId as string,
    timestampMs,
    type: rule.type,
    productId,
    userId: userId as string,
    sessionId: sessionId as string,
    name: name as string | null,
    value: value as number | null,
    appVersion: appVersion as string,
    os: os as string,
    osVersion: osVersion as string | null,
    country: country as string,
    licenseId: licenseId as string | null,
    licenseType: licenseType as string,
    properties,
  };
  return { ok: true, event, droppedFields };
}
