import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayOf } from './day.ts';
import { EVENT_TYPES, MAX_FUTURE_MS } from './event.ts';
import { parseRfc3339, validateEvent, type EventValidation, type ValidationContext } from './validate.ts';

const NOW = Date.parse('2024-05-02T10:00:00Z');
const CTX: ValidationContext = { nowMs: NOW, oldestAllowedMs: Date.parse('2024-02-01T00:00:00Z') };

/** A valid feature_used event with every optional field absent. */
function base(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 'evt-1',
    timestamp: '2024-05-01T12:00:00Z',
    type: 'feature_used',
    productId: 'acme-editor',
    userId: 'user-1',
    sessionId: 'session-1',
    name: 'export_pdf',
    ...overrides,
  };
}

function without(field: string, event = base()): Record<string, unknown> {
  const copy = { ...event };
  delete copy[field];
  return copy;
}

function accepted(r: EventValidation) {
  if (!r.ok) throw new Error(`expected ok, got ${r.code} on ${r.field}: ${r.message}`);
  return r;
}

function rejected(r: EventValidation) {
  if (r.ok) throw new Error('expected a rejection');
  return { code: r.code, field: r.field };
}

const x = (n: number) => 'x'.repeat(n);

describe('validateEvent: the event itself', () => {
  it.each([
    ['null', null],
    ['an array', [base()]],
    ['a string', '{"eventId":"e"}'],
    ['a number', 42],
    ['undefined', undefined],
  ])('rejects %s as invalid_field on event', (_label, input) => {
    const r = validateEvent(input, CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'event' });
    expect(!r.ok && r.message).toBe('event must be a JSON object');
  });

  it('accepts a minimal valid event', () => {
    expect(validateEvent(base(), CTX).ok).toBe(true);
  });
});

describe('validateEvent: required string fields', () => {
  // [field, max length]
  const required: [string, number][] = [
    ['eventId', 64],
    ['userId', 128],
    ['sessionId', 128],
  ];

  describe.each(required)('%s (1..%i)', (field, max) => {
    it.each([
      ['absent', without(field)],
      ['null', base({ [field]: null })],
    ])('is missing_field when %s', (_label, event) => {
      const r = validateEvent(event, CTX);
      expect(rejected(r)).toEqual({ code: 'missing_field', field });
      expect(!r.ok && r.message).toBe(`${field} is required`);
    });

    it.each([
      ['a number', 12],
      ['a boolean', true],
      ['an object', { id: 'x' }],
      ['empty', ''],
      [`${max + 1} characters`, x(max + 1)],
    ])('is invalid_field when %s', (_label, value) => {
      const r = validateEvent(base({ [field]: value }), CTX);
      expect(rejected(r)).toEqual({ code: 'invalid_field', field });
      expect(!r.ok && r.message).toBe(`${field} must be a string of 1..${max} characters`);
    });

    it.each([1, max])('accepts %i characters unchanged', (n) => {
      const r = accepted(validateEvent(base({ [field]: x(n) }), CTX));
      expect((r.event as unknown as Record<string, unknown>)[field]).toBe(x(n));
    });
  });
});

describe('validateEvent: productId', () => {
  it.each([
    ['absent', without('productId')],
    ['null', base({ productId: null })],
  ])('is missing_field when %s', (_label, event) => {
    expect(rejected(validateEvent(event, CTX))).toEqual({ code: 'missing_field', field: 'productId' });
  });

  it.each([
    ['empty', ''],
    ['65 characters', x(65)],
    ['a space', 'acme editor'],
    ['a slash', 'acme/editor'],
    ['a colon', 'acme:editor'],
    ['a non-ASCII letter', 'acmé'],
    ['a number', 7],
  ])('is invalid_field with %s', (_label, productId) => {
    const r = validateEvent(base({ productId }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'productId' });
    expect(!r.ok && r.message).toBe('productId must be 1..64 characters of [A-Za-z0-9._-]');
  });

  it.each(['a', x(64), 'Acme.Editor_2-beta', '0', '...', '-_-'])('accepts %s', (productId) => {
    expect(accepted(validateEvent(base({ productId }), CTX)).event.productId).toBe(productId);
  });
});

describe('validateEvent: type', () => {
  it.each([
    ['absent', without('type'), 'missing_field'],
    ['null', base({ type: null }), 'missing_field'],
    ['a number', base({ type: 3 }), 'invalid_field'],
    ['an unknown name', base({ type: 'page_view' }), 'unknown_type'],
    ['upper case', base({ type: 'FEATURE_USED' }), 'unknown_type'],
    ['empty', base({ type: '' }), 'unknown_type'],
  ])('%s is %s', (_label, event, code) => {
    expect(rejected(validateEvent(event, CTX))).toEqual({ code, field: 'type' });
  });

  it('names the allowed types in the message', () => {
    const r = validateEvent(base({ type: 'page_view' }), CTX);
    expect(!r.ok && r.message).toBe(`type must be one of ${EVENT_TYPES.join(', ')}`);
  });

  it.each(EVENT_TYPES)('accepts %s with its required fields', (type) => {
    const r = accepted(validateEvent(base({ type, name: 'startup', value: 5 }), CTX));
    expect(r.event.type).toBe(type);
  });
});

describe('validateEvent: name', () => {
  const needsName = ['feature_used', 'performance', 'crash', 'error', 'interaction'] as const;

  it.each(needsName)('is required for %s', (type) => {
    for (const event of [without('name', base({ type, value: 1 })), base({ type, value: 1, name: null })]) {
      const r = validateEvent(event, CTX);
      expect(rejected(r)).toEqual({ code: 'missing_field', field: 'name' });
      expect(!r.ok && r.message).toMatch(new RegExp(`^name is required for ${type} events`));
    }
  });

  it.each(['session_start', 'session_end'])('is optional for %s and null when absent', (type) => {
    expect(accepted(validateEvent(without('name', base({ type })), CTX)).event.name).toBeNull();
    expect(accepted(validateEvent(base({ type, name: null }), CTX)).event.name).toBeNull();
    expect(accepted(validateEvent(base({ type, name: 'cold' }), CTX)).event.name).toBe('cold');
  });

  it.each([
    ['empty', ''],
    ['129 characters', x(129)],
    ['a number', 5],
  ])('is invalid_field when %s, also where optional', (_label, name) => {
    for (const type of ['feature_used', 'session_start']) {
      const r = validateEvent(base({ type, name }), CTX);
      expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'name' });
      expect(!r.ok && r.message).toBe('name must be a string of 1..128 characters');
    }
  });

  it.each([1, 128])('accepts %i characters', (n) => {
    expect(accepted(validateEvent(base({ name: x(n) }), CTX)).event.name).toBe(x(n));
  });

  it('is scrubbed after the length check', () => {
    const name = `OpenFailed /home/ana/${x(100)}`; // 121 chars before scrubbing
    expect(accepted(validateEvent(base({ name }), CTX)).event.name).toBe('OpenFailed [redacted]');
    expect(accepted(validateEvent(base({ name: 'share ana@example.com' }), CTX)).event.name).toBe(
      'share [redacted]',
    );
  });
});

describe('validateEvent: value', () => {
  it.each([
    ['absent', without('value', base({ type: 'performance', name: 'startup' }))],
    ['null', base({ type: 'performance', name: 'startup', value: null })],
  ])('is required for performance (%s)', (_label, event) => {
    const r = validateEvent(event, CTX);
    expect(rejected(r)).toEqual({ code: 'missing_field', field: 'value' });
    expect(!r.ok && r.message).toMatch(/^value is required for performance events/);
  });

  it.each([
    ['negative', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a numeric string', '12'],
    ['a boolean', true],
  ])('is invalid_field when %s, on any type', (_label, value) => {
    for (const type of ['performance', 'session_end', 'feature_used']) {
      const r = validateEvent(base({ type, name: 'startup', value }), CTX);
      expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'value' });
      expect(!r.ok && r.message).toBe('value must be a finite number >= 0');
    }
  });

  it.each([0, 0.5, 1234.25, Number.MAX_VALUE])('accepts %d', (value) => {
    expect(accepted(validateEvent(base({ type: 'performance', name: 'startup', value }), CTX)).event.value).toBe(
      value,
    );
  });

  it('is optional on session_end and kept when given', () => {
    expect(accepted(validateEvent(base({ type: 'session_end' }), CTX)).event.value).toBeNull();
    expect(accepted(validateEvent(base({ type: 'session_end', value: 60_000 }), CTX)).event.value).toBe(60_000);
  });

  it('is kept when valid on other types', () => {
    expect(accepted(validateEvent(base({ value: 3 }), CTX)).event.value).toBe(3);
  });
});

describe('validateEvent: optional string fields', () => {
  // [field, max length, default when absent]
  const optional: [string, number, string | null][] = [
    ['appVersion', 64, 'unknown'],
    ['os', 32, 'unknown'],
    ['osVersion', 64, null],
    ['licenseId', 128, null],
    ['licenseType', 32, 'unknown'],
  ];

  describe.each(optional)('%s (1..%i)', (field, max, fallback) => {
    it.each([
      ['absent', without(field)],
      ['null', base({ [field]: null })],
    ])(`defaults when %s`, (_label, event) => {
      const r = accepted(validateEvent(event, CTX));
      expect((r.event as unknown as Record<string, unknown>)[field]).toBe(fallback);
    });

    it.each([
      ['empty', ''],
      [`${max + 1} characters`, x(max + 1)],
      ['a number', 10],
      ['a list', ['a']],
    ])('is invalid_field when %s', (_label, value) => {
      const r = validateEvent(base({ [field]: value }), CTX);
      expect(rejected(r)).toEqual({ code: 'invalid_field', field });
      expect(!r.ok && r.message).toBe(`${field} must be a string of 1..${max} characters`);
    });

    it.each([1, max])('accepts %i characters', (n) => {
      const r = accepted(validateEvent(base({ [field]: x(n) }), CTX));
      expect((r.event as unknown as Record<string, unknown>)[field]).toBe(x(n));
    });
  });
});

describe('validateEvent: country', () => {
  it.each(['DE', 'US', 'ZZ', 'XK'])('accepts %s', (country) => {
    expect(accepted(validateEvent(base({ country }), CTX)).event.country).toBe(country);
  });

  it.each([
    ['absent', without('country')],
    ['null', base({ country: null })],
  ])('is ZZ when %s', (_label, event) => {
    expect(accepted(validateEvent(event, CTX)).event.country).toBe('ZZ');
  });

  it.each(['de', 'De', 'DEU', 'D', '', 'D1', 'ÄÖ', 49])('rejects %s', (country) => {
    const r = validateEvent(base({ country }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'country' });
    expect(!r.ok && r.message).toMatch(/^country must be an ISO 3166-1 alpha-2 code in upper case/);
  });
});

describe('validateEvent: properties', () => {
  const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it.each([
    ['absent', without('properties')],
    ['null', base({ properties: null })],
  ])('is null when %s', (_label, event) => {
    expect(accepted(validateEvent(event, CTX)).event.properties).toBeNull();
  });

  it('keeps strings, finite numbers and booleans, as a copy', () => {
    const properties = { theme: 'dark', count: 3, ratio: -0.5, beta: false, empty: '' };
    const r = accepted(validateEvent(base({ properties }), CTX));
    expect(r.event.properties).toEqual(properties);
    expect(r.event.properties).not.toBe(properties);
  });

  it('keeps keys that look like its own result shape or the prototype', () => {
    const properties = JSON.parse('{"ok": false, "code": "x", "__proto__": "p", "constructor": 1}');
    const r = accepted(validateEvent(base({ properties }), CTX));
    expect(Object.keys(r.event.properties!)).toEqual(['ok', 'code', '__proto__', 'constructor']);
    expect(Object.getPrototypeOf(r.event.properties)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(r.event.properties, '__proto__')?.value).toBe('p');
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'theme=dark'],
    ['a number', 1],
    ['a Map', new Map([['a', 1]])],
    ['a Date', new Date(0)],
  ])('is invalid_field when %s', (_label, properties) => {
    const r = validateEvent(base({ properties }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'properties' });
    expect(!r.ok && r.message).toBe('properties must be a flat object of string, number or boolean values');
  });

  it.each([
    ['a nested object', { a: { b: 1 } }],
    ['an array value', { a: [1] }],
    ['a null value', { a: null }],
    ['an Infinity value', { a: Infinity }],
    ['a NaN value', { a: NaN }],
    ['a string of 1025 characters', { a: x(1025) }],
  ])('rejects %s, naming the key', (_label, properties) => {
    const r = validateEvent(base({ properties }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'properties' });
    expect(!r.ok && r.message).toBe(
      'properties.a must be a string of at most 1024 characters, a finite number or a boolean',
    );
  });

  it('allows 32 keys, not 33', () => {
    expect(accepted(validateEvent(base({ properties: props(32) }), CTX)).event.properties).toEqual(props(32));
    const r = validateEvent(base({ properties: props(33) }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'properties' });
    expect(!r.ok && r.message).toBe('properties must have at most 32 keys');
  });

  it('allows keys of 1..64 characters', () => {
    expect(accepted(validateEvent(base({ properties: { a: 1, [x(64)]: 2 } }), CTX)).ok).toBe(true);
    for (const key of ['', x(65)]) {
      const r = validateEvent(base({ properties: { [key]: 1 } }), CTX);
      expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'properties' });
      expect(!r.ok && r.message).toBe('properties keys must be 1..64 characters');
    }
  });

  it('allows string values up to 1024 characters', () => {
    expect(accepted(validateEvent(base({ properties: { a: x(1024) } }), CTX)).event.properties).toEqual({
      a: x(1024),
    });
  });

  it('accepts an empty object as is', () => {
    expect(accepted(validateEvent(base({ properties: {} }), CTX)).event.properties).toEqual({});
  });

  it('scrubs string values and leaves the rest alone', () => {
    const properties = {
      file: 'C:\\Users\\ana\\Documents\\q3.xlsx',
      contact: 'mail ana@example.com please',
      host: '10.1.2.3',
      version: '1.2.3',
      at: '12:30',
      size: 1024,
      ok: true,
    };
    const r = accepted(validateEvent(base({ properties }), CTX));
    expect(r.event.properties).toEqual({
      file: '[redacted]',
      contact: 'mail [redacted] please',
      host: '[redacted]',
      version: '1.2.3',
      at: '12:30',
      size: 1024,
      ok: true,
    });
  });
});

describe('validateEvent: timestamp', () => {
  it.each([
    ['absent', without('timestamp')],
    ['null', base({ timestamp: null })],
  ])('is missing_field when %s', (_label, event) => {
    expect(rejected(validateEvent(event, CTX))).toEqual({ code: 'missing_field', field: 'timestamp' });
  });

  it.each([
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01t12:00:00z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01T12:00:00+00:00', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01T12:00:00-00:00', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01T17:30:00+05:30', '2024-05-01T12:00:00.000Z'],
    ['2024-03-01T23:30:00-02:00', '2024-03-02T01:30:00.000Z'],
    ['2024-03-02T00:30:00+02:00', '2024-03-01T22:30:00.000Z'],
    ['2024-05-01T12:00:00.1Z', '2024-05-01T12:00:00.100Z'],
    ['2024-05-01T12:00:00.123Z', '2024-05-01T12:00:00.123Z'],
    ['2024-05-01T12:00:00.123456Z', '2024-05-01T12:00:00.123Z'],
    ['2024-05-01T12:00:00.999999999+01:00', '2024-05-01T11:00:00.999Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2024-04-30T23:59:60Z', '2024-05-01T00:00:00.000Z'],
  ])('reads %s as %s', (timestamp, iso) => {
    const ctx = { nowMs: NOW, oldestAllowedMs: 0 };
    expect(new Date(accepted(validateEvent(base({ timestamp }), ctx)).event.timestampMs).toISOString()).toBe(iso);
  });

  it('puts an event late in a negative offset on the next UTC day', () => {
    const r = accepted(validateEvent(base({ timestamp: '2024-03-01T23:30:00-02:00' }), CTX));
    expect(dayOf(r.event.timestampMs)).toBe('2024-03-02');
  });

  it.each([
    ['no offset', '2024-05-01T12:00:00'],
    ['no offset, fraction', '2024-05-01T12:00:00.123'],
    ['a date only', '2024-05-01'],
    ['a space for T', '2024-05-01 12:00:00Z'],
    ['no seconds', '2024-05-01T12:00Z'],
    ['an offset without colon', '2024-05-01T12:00:00+0200'],
    ['an hour-only offset', '2024-05-01T12:00:00+02'],
    ['an empty fraction', '2024-05-01T12:00:00.Z'],
    ['Feb 30', '2024-02-30T12:00:00Z'],
    ['Feb 29 of a common year', '2023-02-29T12:00:00Z'],
    ['month 13', '2024-13-01T12:00:00Z'],
    ['day 00', '2024-05-00T12:00:00Z'],
    ['hour 24', '2024-05-01T24:00:00Z'],
    ['minute 60', '2024-05-01T12:60:00Z'],
    ['second 61', '2024-05-01T12:00:61Z'],
    ['offset hour 24', '2024-05-01T12:00:00+24:00'],
    ['offset minute 60', '2024-05-01T12:00:00+01:60'],
    ['an HTTP date', 'Wed, 01 May 2024 12:00:00 GMT'],
    ['surrounding space', ' 2024-05-01T12:00:00Z'],
    ['a trailing newline', '2024-05-01T12:00:00Z\n'],
    ['empty', ''],
    ['epoch milliseconds', 1714564800000],
    ['a Date object', new Date('2024-05-01T12:00:00Z')],
  ])('rejects %s', (_label, timestamp) => {
    const r = validateEvent(base({ timestamp }), CTX);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'timestamp' });
    expect(!r.ok && r.message).toBe(
      'timestamp must be an RFC 3339 date-time with an offset, e.g. 2024-05-01T12:00:00Z',
    );
  });

  it('reads years below 100 as themselves, not 19xx', () => {
    expect(parseRfc3339('0099-01-01T00:00:00Z')).toBe(Date.parse('0099-01-01T00:00:00Z'));
    expect(parseRfc3339('0000-03-01T00:00:00Z')).toBe(Date.parse('0000-03-01T00:00:00Z'));
  });

  it('agrees with Date.parse on random valid instants', () => {
    const instant = fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2200-01-01T00:00:00Z') });
    const offset = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });
    fc.assert(
      fc.property(instant, offset, (ms, offMin) => {
        const local = new Date(ms + offMin * 60_000).toISOString().slice(0, 23);
        const abs = Math.abs(offMin);
        const off = `${offMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseRfc3339(local + off)).toBe(ms);
      }),
      { seed: 20240501, numRuns: 2000 },
    );
  });
});

describe('validateEvent: kept window', () => {
  const ctx: ValidationContext = { nowMs: NOW, oldestAllowedMs: Date.parse('2024-04-01T00:00:00Z') };
  const at = (ms: number) => base({ timestamp: new Date(ms).toISOString() });

  it('accepts the first millisecond of the oldest kept day', () => {
    expect(accepted(validateEvent(at(ctx.oldestAllowedMs), ctx)).event.timestampMs).toBe(ctx.oldestAllowedMs);
  });

  it('rejects a millisecond earlier as timestamp_too_old', () => {
    const r = validateEvent(at(ctx.oldestAllowedMs - 1), ctx);
    expect(rejected(r)).toEqual({ code: 'timestamp_too_old', field: 'timestamp' });
    expect(!r.ok && r.message).toMatch(/^timestamp must not be older than the storage duration/);
  });

  it('accepts up to 24 h ahead of the server clock, not a millisecond more', () => {
    expect(accepted(validateEvent(at(NOW + MAX_FUTURE_MS), ctx)).ok).toBe(true);
    const r = validateEvent(at(NOW + MAX_FUTURE_MS + 1), ctx);
    expect(rejected(r)).toEqual({ code: 'timestamp_in_future', field: 'timestamp' });
    expect(!r.ok && r.message).toBe('timestamp must not be more than 24 h ahead of the server clock');
  });

  it('applies shiftMs before the checks and keeps it in timestampMs', () => {
    const twoDays = 2 * 86_400_000;
    // A device whose clock runs two days behind: its "too old" event is really recent.
    const late = at(ctx.oldestAllowedMs - twoDays + 1000);
    expect(rejected(validateEvent(late, ctx)).code).toBe('timestamp_too_old');
    const r = accepted(validateEvent(late, { ...ctx, shiftMs: twoDays }));
    expect(r.event.timestampMs).toBe(ctx.oldestAllowedMs + 1000);
    // And one running two days ahead.
    const early = at(NOW + MAX_FUTURE_MS + twoDays - 1000);
    expect(rejected(validateEvent(early, ctx)).code).toBe('timestamp_in_future');
    expect(accepted(validateEvent(early, { ...ctx, shiftMs: -twoDays })).event.timestampMs).toBe(
      NOW + MAX_FUTURE_MS - 1000,
    );
  });

  it('reports broken fields before the window', () => {
    const r = validateEvent(base({ timestamp: '2000-01-01T00:00:00Z', productId: 'a b' }), ctx);
    expect(rejected(r)).toEqual({ code: 'invalid_field', field: 'productId' });
  });
});

describe('validateEvent: order of checks', () => {
  it('reports the first broken field in table order', () => {
    const event = { type: 'nope', productId: '', value: -1 };
    expect(rejected(validateEvent(event, CTX)).field).toBe('eventId');
    expect(rejected(validateEvent({ ...event, eventId: 'e' }, CTX)).field).toBe('timestamp');
    expect(rejected(validateEvent({ ...event, eventId: 'e', timestamp: '2024-05-01T00:00:00Z' }, CTX))).toEqual({
      code: 'unknown_type',
      field: 'type',
    });
  });
});

describe('validateEvent: privacy and defaults', () => {
  it('drops and counts ip and other unknown top-level fields', () => {
    const r = accepted(
      validateEvent(base({ ip: '203.0.113.9', email: 'ana@example.com', userAgent: 'x', timestampMs: 1 }), CTX),
    );
    expect(r.droppedFields).toBe(4);
    expect(Object.keys(r.event)).not.toContain('ip');
    expect(JSON.stringify(r.event)).not.toContain('203.0.113.9');
    expect(JSON.stringify(r.event)).not.toContain('ana@example.com');
  });

  it('counts no dropped field for known fields, present, null or undefined', () => {
    expect(accepted(validateEvent(base(), CTX)).droppedFields).toBe(0);
    expect(accepted(validateEvent(base({ os: null, properties: null }), CTX)).droppedFields).toBe(0);
    expect(accepted(validateEvent(base({ os: undefined, licenseId: undefined }), CTX)).droppedFields).toBe(0);
    expect(accepted(validateEvent(base({ os: undefined, ip: '::1' }), CTX)).droppedFields).toBe(1);
  });

  it('applies every default to a minimal event', () => {
    const minimal = without('name', base({ type: 'session_start' }));
    expect(accepted(validateEvent(minimal, CTX))).toEqual({
      ok: true,
      droppedFields: 0,
      event: {
        eventId: 'evt-1',
        timestampMs: Date.parse('2024-05-01T12:00:00Z'),
        type: 'session_start',
        productId: 'acme-editor',
        userId: 'user-1',
        sessionId: 'session-1',
        name: null,
        value: null,
        appVersion: 'unknown',
        os: 'unknown',
        osVersion: null,
        country: 'ZZ',
        licenseId: null,
        licenseType: 'unknown',
        properties: null,
      },
    });
  });

  it('keeps every field of a full event', () => {
    const full = {
      eventId: 'e-42',
      timestamp: '2024-05-01T14:00:00.250+02:00',
      type: 'performance',
      productId: 'acme.viewer',
      userId: 'u-42',
      sessionId: 's-42',
      name: 'startup',
      value: 812.5,
      appVersion: '3.1.0',
      os: 'windows',
      osVersion: '10.0.19045',
      country: 'DE',
      licenseId: 'lic-9',
      licenseType: 'pro',
      properties: { gpu: 'intel', cold: true },
    };
    const r = accepted(validateEvent(full, CTX));
    expect(r.droppedFields).toBe(0);
    expect(r.event).toEqual({
      ...full,
      timestamp: undefined,
      timestampMs: Date.parse('2024-05-01T12:00:00.250Z'),
    });
  });

  it('never throws and never keeps an unknown field, whatever the input', () => {
    const anyEvent = fc.dictionary(
      fc.constantFrom('eventId', 'timestamp', 'type', 'productId', 'userId', 'name', 'value', 'country', 'properties', 'ip', 'x'),
      fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue())),
    );
    fc.assert(
      fc.property(fc.oneof(anyEvent, fc.jsonValue()), (input) => {
        const r = validateEvent(input, CTX);
        if (r.ok) {
          expect(Object.keys(r.event)).not.toContain('ip');
          expect(Object.keys(r.event)).not.toContain('x');
        } else {
          expect(r.message).toContain(r.field);
        }
      }),
      { seed: 7, numRuns: 3000 },
    );
  });

  it('accepts any event built within the rules', () => {
    const str = (max: number) => fc.string({ minLength: 1, maxLength: max });
    const validEvent = fc.record({
      eventId: str(64),
      timestamp: fc
        .integer({ min: CTX.oldestAllowedMs, max: NOW })
        .map((ms) => new Date(ms).toISOString()),
      type: fc.constant('session_start'),
      productId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
      userId: str(128),
      sessionId: str(128),
      appVersion: fc.option(str(64)),
      country: fc.option(fc.stringMatching(/^[A-Z]{2}$/)),
      properties: fc.option(
        fc.dictionary(str(64), fc.oneof(fc.string({ maxLength: 1024 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), {
          maxKeys: 32,
        }),
      ),
    });
    fc.assert(
      fc.property(validEvent, (event) => {
        const r = accepted(validateEvent(event, CTX));
        expect(r.event.eventId).toBe(event.eventId);
        expect(r.event.timestampMs).toBe(Date.parse(event.timestamp));
        expect(r.event.appVersion).toBe(event.appVersion ?? 'unknown');
        expect(r.event.country).toBe(event.country ?? 'ZZ');
        expect(Object.keys(r.event.properties ?? {})).toEqual(Object.keys(event.properties ?? {}));
      }),
      { seed: 11, numRuns: 1000 },
    );
  });
});
