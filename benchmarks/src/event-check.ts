/**
 * The ingest contract's field rules (ingest.md), checked the plain way. The benchmark uses it to keep
 * malformed events out of the PostgreSQL peer (whose casts would fail the whole batch) and the tests
 * use it to assert the generator's shapes; the engine has its own validator and is not measured by this.
 */
const TYPES = new Set([
  'session_start',
  'session_end',
  'feature_used',
  'performance',
  'crash',
  'error',
  'interaction',
]);
const NAME_REQUIRED = new Set(['feature_used', 'performance', 'crash', 'error', 'interaction']);
const PRODUCT_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Why `input` breaks the contract (naming the field), or null when it is a valid event. */
export function wireEventProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'event must be an object';
  const e = input as Record<string, unknown>;
  for (const [field, max] of [
    ['eventId', 64],
    ['userId', 128],
    ['sessionId', 128],
  ] as const) {
    const problem = stringProblem(e, field, max, true);
    if (problem) return problem;
  }
  if (typeof e.productId !== 'string' || !PRODUCT_ID_RE.test(e.productId)) {
    return 'productId must match [A-Za-z0-9._-]{1,64}';
  }
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) return 'type must be one of the event types';
  if (typeof e.timestamp !== 'string' || !RFC3339_RE.test(e.timestamp) || Number.isNaN(Date.parse(e.timestamp))) {
    return 'timestamp must be an RFC 3339 string with an offset';
  }
  const nameProblem = stringProblem(e, 'name', 128, NAME_REQUIRED.has(e.type));
  if (nameProblem) return nameProblem;
  if (e.value !== undefined && (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value < 0)) {
    return 'value must be a finite number >= 0';
  }
  if (e.type === 'performance' && e.value === undefined) return 'value is required for performance';
  for (const [field, max] of [
    ['appVersion', 64],
    ['os', 32],
    ['osVersion', 64],
    ['licenseId', 128],
    ['licenseType', 32],
  ] as const) {
    const problem = stringProblem(e, field, max, false);
    if (problem) return problem;
  }
  if (e.country !== undefined && (typeof e.country !== 'string' || !COUNTRY_RE.test(e.country))) {
    return 'country must be ISO 3166-1 alpha-2 in upper case';
  }
  if (e.properties !== undefined) {
    const p = e.properties;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'properties must be a flat object';
    const entries = Object.entries(p);
    if (entries.length > 32) return 'properties must have at most 32 keys';
    for (const [k, v] of entries) {
      if (k.length < 1 || k.length > 64) return 'properties keys must be 1..64 characters';
      const ok =
        (typeof v === 'string' && v.length <= 1024) ||
        typeof v === 'boolean' ||
        (typeof v === 'number' && Number.isFinite(v));
      if (!ok) return `properties.${k} must be a string (<= 1024), number or boolean`;
    }
  }
  return null;
}

export function isValidWireEvent(input: unknown): boolean {
  return wireEventProblem(input) === null;
}

function stringProblem(e: Record<string, unknown>, field: string, max: number, required: boolean): string | null {
  const v = e[field];
  if (v === undefined) return required ? `${field} is required` : null;
  if (typeof v !== 'string' || v.length < 1 || v.length > max) return `${field} must be a string of 1..${max}`;
  return null;
}
