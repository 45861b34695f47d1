import type { DateRange, Granularity, SegmentFilter } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { retentionCohorts } from './retention-cohorts.ts';
import { type Fixture, loadFixture } from './testing/fixture.ts';
import { refRetention } from './testing/reference.ts';

let f: Fixture;
beforeAll(async () => {
  f = await loadFixture();
});
afterAll(async () => {
  await f.h.close();
});

function span(fromOffset: number, toOffset: number): DateRange {
  const at = (n: number) => new Date(Date.parse(`${f.data.firstDay}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  return { from: at(fromOffset), to: at(toOffset) } as DateRange;
}

const CASES: { g: Granularity; periods: number; range: () => DateRange; filter?: SegmentFilter }[] = [
  { g: 'WEEK', periods: 12, range: () => span(0, 59) },
  { g: 'DAY', periods: 10, range: () => span(30, 59) },
  { g: 'MONTH', periods: 3, range: () => span(0, 59) },
  { g: 'WEEK', periods: 4, range: () => span(7, 40), filter: { products: ['alpha'] } },
  { g: 'DAY', periods: 120, range: () => span(0, 20), filter: { products: ['beta.app', 'gamma-cli'] } },
];

describe('cohorts without segment filters are exact', () => {
  for (const c of CASES) {
    test(`${c.g} x${c.periods} ${JSON.stringify(c.filter ?? {})}`, async () => {
      const range = c.range();
      const ref = refRetention(f.events, range, c.g, c.periods, f.data.today, c.filter);
      expect(ref.some((r) => r.size > 0)).toBe(true);
      expect(await retentionCohorts(f.h.ctx, { range, granularity: c.g, periods: c.periods, filter: c.filter })).toEqual(ref);
    });
  }
});

describe('with one value of one dimension (and any products), cohorts are exact over the filtered events', () => {
  const FILTERS: SegmentFilter[] = [{ os: ['linux'] }, { licenseTypes: ['trial'] }, { products: ['alpha'], appVersions: ['2.0'] }];
  for (const filter of FILTERS) {
    test(JSON.stringify(filter), async () => {
      const range = span(0, 59);
      const ref = refRetention(f.events, range, 'WEEK', 12, f.data.today, filter);
      expect(ref.some((r) => r.size > 0)).toBe(true);
      expect(await retentionCohorts(f.h.ctx, { range, filter })).toEqual(ref);
      expect(await retentionCohorts(f.h.ctx, { range, filter, granularity: 'DAY', periods: 20 })).toEqual(
        refRetention(f.events, range, 'DAY', 20, f.data.today, filter),
      );
    });
  }
});

describe('with wider filters, cohorts follow the first event (documented semantics), exactly', () => {
  const FILTERS: SegmentFilter[] = [{ os: ['linux', 'macos'] }, { appVersions: ['1.1', '2.0'], countries: ['US'] }];
  for (const filter of FILTERS) {
    test(JSON.stringify(filter), async () => {
      const range = span(0, 59);
      const ref = refRetention(f.events, range, 'WEEK', 12, f.data.today, filter, 'first-event');
      expect(await retentionCohorts(f.h.ctx, { range, filter })).toEqual(ref);
    });
  }
});

test('entries end with the period that holds today; retained[0] is the size', async () => {
  const cohorts = await retentionCohorts(f.h.ctx, { range: span(0, 59), granularity: 'WEEK', periods: 120 });
  const last = cohorts[cohorts.length - 1];
  expect(last.retained).toHaveLength(1);
  for (const c of cohorts) {
    expect(c.retained[0]).toBe(c.size);
    expect(c.rates[0]).toBe(c.size > 0 ? 1 : 0);
  }
});

test('periods is checked', async () => {
  await expect(retentionCohorts(f.h.ctx, { range: span(0, 5), periods: 0 })).rejects.toMatchObject({ field: 'periods' });
  await expect(retentionCohorts(f.h.ctx, { range: span(0, 5), periods: 121 })).rejects.toMatchObject({ field: 'periods' });
});
