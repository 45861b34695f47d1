import { describe, expect, it } from 'vitest';
import { InvalidBodyError, isNdjson, parseEventsBody, TooManyEventsError } from './body.ts';

const buf = (s: string) => Buffer.from(s, 'utf8');

describe('parseEventsBody', () => {
  it('reads a JSON array, the {events, sentAt} form and NDJSON', () => {
    expect(parseEventsBody(buf('[{"a":1},{"b":2}]'), 'application/json', 10)).toEqual({ events: [{ a: 1 }, { b: 2 }] });
    expect(parseEventsBody(buf('{"events":[{"a":1}],"sentAt":"2024-01-01T00:00:00Z"}'), undefined, 10)).toEqual({
      events: [{ a: 1 }],
      sentAt: '2024-01-01T00:00:00Z',
    });
    expect(parseEventsBody(buf('\uFEFF{"a":1}\n\n  \r\n{"b":2}'), 'application/x-ndjson', 10).events).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuses what is not JSON/NDJSON of objects, naming the problem', () => {
    expect(() => parseEventsBody(buf(''), undefined, 10)).toThrow(InvalidBodyError);
    expect(() => parseEventsBody(undefined, undefined, 10)).toThrow(/empty/);
    expect(() => parseEventsBody(buf('[{}, 3]'), undefined, 10)).toThrow(/events\[1\] is not a JSON object/);
    expect(() => parseEventsBody(buf('{"events":{}}'), undefined, 10)).toThrow(/"events" array/);
    expect(() => parseEventsBody(buf('{"events":[],"sentAt":5}'), undefined, 10)).toThrow(/sentAt/);
    expect(() => parseEventsBody(buf('{}\n{'), 'application/x-ndjson', 10)).toThrow(/line 2/);
    expect(() => parseEventsBody(buf('{} {}'), 'application/x-ndjson', 10)).toThrow(/line 1/);
  });

  it('refuses more than the maximum of events, stopping NDJSON early', () => {
    expect(() => parseEventsBody(buf('[{},{},{}]'), undefined, 2)).toThrow(TooManyEventsError);
    expect(() => parseEventsBody(buf('{}\n{}\n{}\nnot json at all'), 'application/x-ndjson', 2)).toThrow(TooManyEventsError);
    expect(parseEventsBody(buf('{}\n{}\n'), 'application/x-ndjson', 2).events).toHaveLength(2);
  });

  it('knows the NDJSON media types', () => {
    expect(isNdjson('application/x-ndjson; charset=utf-8')).toBe(true);
    expect(isNdjson('Application/NDJSON')).toBe(true);
    expect(isNdjson('application/json')).toBe(false);
    expect(isNdjson(undefined)).toBe(false);
  });
});
