import { describe, expect, it } from 'vitest';
import { MAX_FILTER_VALUES, MAX_PERIODS, normalizeFilter, validateDateRange, validatePeriods } from './args.ts';
import { BadInputError } from './errors.ts';
import type { SegmentFilter } from './metrics.ts';

/** The BadInputError `fn` throws, for asserting its field and message. */
function badInput(fn: () => unknown): { field: string; message: string; code: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    const err = e as BadInputError;
    return { field: err.field, message: err.message, code: err.code };
  }
  throw new Error('expected a BadInputError');
}

describe('validateDateRange', () => {
  it('returns the days of a valid range', () => {
    expect(validateDateRange({ from: '2024-01-01', to: '2024-01-31' })).toEqual({ from: '2024-01-01', to: '2024-01-31' });
  });

  it('accepts a single day', () => {
    expect(validateDateRange({ from: '2024-02-29', to: '2024-02-29' })).toEqual({ from: '2024-02-29', to: '2024-02-29' });
  });

  it.each([
    ['from', { from: '2024-02-30', to: '2024-03-01' }],
    ['from', { from: '2024-1-01', to: '2024-03-01' }],
    ['from', { from: '2024-01-01T00:00:00Z', to: '2024-03-01' }],
    ['from', { from: '', to: '2024-03-01' }],
    ['from', { from: 20240101, to: '2024-03-01' }],
    ['to', { from: '2024-01-01', to: '2023-02-29' }],
    ['to', { from: '2024-01-01', to: '2024-13-01' }],
    ['to', { from: '2024-01-01', to: null }],
  ])('rejects a %s that is not a real YYYY-MM-DD day (%j)', (end, range) => {
    expect(badInput(() => validateDateRange(range as { from: string; to: string }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: `range.${end}`,
      message: `range.${end} must be a date YYYY-MM-DD`,
    });
  });

  it('rejects from after to', () => {
    expect(badInput(() => validateDateRange({ from: '2024-02-02', to: '2024-02-01' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'range.from',
      message: 'range.from must be on or before range.to',
    });
  });

  it('allows 731 days counting both ends, not 732', () => {
    expect(validateDateRange({ from: '2023-01-01', to: '2024-12-31' })).toEqual({ from: '2023-01-01', to: '2024-12-31' });
    const err = badInput(() => validateDateRange({ from: '2023-01-01', to: '2025-01-01' }));
    expect(err.field).toBe('range');
    expect(err.message).toMatch(/^range must span at most 731 days/);
  });

  it('names the argument it was given', () => {
    expect(badInput(() => validateDateRange({ from: 'x', to: '2024-01-01' }, 'cohortRange')).message).toBe(
      'cohortRange.from must be a date YYYY-MM-DD',
    );
  });

  it('rejects a missing range object', () => {
    expect(badInput(() => validateDateRange(null as unknown as { from: string; to: string })).field).toBe('range');
  });
});

describe('validatePeriods', () => {
  it.each([1, 12, MAX_PERIODS])('accepts %i', (n) => {
    expect(validatePeriods(n)).toBe(n);
  });

  it.each([0, -1, MAX_PERIODS + 1, 1.5, NaN, Infinity, '3'])('rejects %s', (n) => {
    expect(badInput(() => validatePeriods(n as number))).toMatchObject({
      field: 'periods',
      message: expect.stringMatching(/^periods must be a whole number from 1 to 120/),
    });
  });
});

describe('normalizeFilter', () => {
  it.each([null, undefined, {}])('turns %s into no constraint', (filter) => {
    expect(normalizeFilter(filter)).toEqual({});
  });

  it('drops empty and absent lists and keeps values exactly', () => {
    const filter: SegmentFilter = {
      products: ['acme-editor'],
      appVersions: [],
      os: [' windows ', 'Windows'],
      countries: null,
      licenseTypes: undefined,
    };
    expect(normalizeFilter(filter)).toEqual({ products: ['acme-editor'], os: [' windows ', 'Windows'] });
  });

  it('copies the lists', () => {
    const os = ['linux'];
    const out = normalizeFilter({ os });
    os.push('macos');
    expect(out.os).toEqual(['linux']);
  });

  it(`allows ${MAX_FILTER_VALUES} values per list, not more`, () => {
    const values = Array.from({ length: MAX_FILTER_VALUES }, (_, i) => `v${i}`);
    expect(normalizeFilter({ appVersions: values }).appVersions).toHaveLength(MAX_FILTER_VALUES);
    expect(badInput(() => normalizeFilter({ appVersions: [...values, 'one-more'] }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'filter.appVersions',
      message: 'filter.appVersions must have at most 100 values; got 101',
    });
  });

  it.each([
    ['os', { os: ['windows', 7] }],
    ['countries', { countries: 'DE' }],
    ['licenseTypes', { licenseTypes: [null] }],
  ])('rejects filter.%s that is not a list of strings', (list, filter) => {
    expect(badInput(() => normalizeFilter(filter as SegmentFilter))).toEqual({
      code: 'BAD_USER_INPUT',
      field: `filter.${list}`,
      message: `filter.${list} must be a list of strings`,
    });
  });

  it('rejects a key that is not a filter list', () => {
    const err = badInput(() => normalizeFilter({ product: ['x'] } as SegmentFilter));
    expect(err.field).toBe('filter.product');
    expect(err.message).toMatch(/^filter.product is not a filter/);
  });

  it('rejects a filter that is not an object', () => {
    expect(badInput(() => normalizeFilter(['os'] as unknown as SegmentFilter)).field).toBe('filter');
  });
});
