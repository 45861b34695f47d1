import type { DateRange, SegmentFilter } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { featureAdoption, weightedMedian } from './feature-adoption.ts';
import { expectDistinct } from './testing/bounds.ts';
import { type Fixture, loadFixture } from './testing/fixture.ts';
import { refFeatureAdoption } from './testing/reference.ts';

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

const PRODUCT_LEVEL: { name: string; range: () => DateRange; filter?: SegmentFilter; features?: string[] }[] = [
  { name: 'whole history', range: () => span(0, 59) },
  { name: 'middle of the range', range: () => span(20, 40) },
  { name: 'last ten days, one product', range: () => span(50, 59), filter: { products: ['alpha'] } },
  { name: 'two products, chosen features', range: () => span(10, 45), filter: { products: ['alpha', 'beta.app'] }, features: ['timeline', 'save', 'nope', 'ai_assist'] },
];

describe('without segment filters: exact, equal to the reference', () => {
  for (const c of PRODUCT_LEVEL) {
    test(c.name, async () => {
      const range = c.range();
      const ref = refFeatureAdoption(f.events, range, c.filter, c.features ?? null);
      expect(ref.length).toBeGreaterThan(0);
      expect(await featureAdoption(f.h.ctx, { range, filter: c.filter, features: c.features, precision: 'EXACT' })).toEqual(ref);
      expect(await featureAdoption(f.h.ctx, { range, filter: c.filter, features: c.features })).toEqual(ref);
    });
  }
});

const SEGMENT_FILTERS: { name: string; range: () => DateRange; filter: SegmentFilter }[] = [
  { name: 'windows', range: () => span(0, 59), filter: { os: ['windows'] } },
  { name: 'version 2.0', range: () => span(40, 59), filter: { appVersions: ['2.0'] } },
  { name: 'US and DE trials', range: () => span(15, 50), filter: { countries: ['US', 'DE'], licenseTypes: ['trial'] } },
];

describe('with segment filters: distinct counts within bounds, exact counts exact', () => {
  for (const c of SEGMENT_FILTERS) {
    test(c.name, async () => {
      const range = c.range();
      const ref = refFeatureAdoption(f.events, range, c.filter);
      expect(await featureAdoption(f.h.ctx, { range, filter: c.filter, precision: 'EXACT' })).toEqual(ref);
      const approx = await featureAdoption(f.h.ctx, { range, filter: c.filter });
      // The median follows the documented approximation: first-ever uses of the product, by their segment.
      const documented = refFeatureAdoption(f.events, range, c.filter, null, 'product');
      expect(approx.map((x) => x.feature)).toEqual(ref.map((x) => x.feature));
      approx.forEach((x, i) => {
        const r = ref[i];
        expectDistinct(x.activeUsers, r.activeUsers, `${x.feature} activeUsers`);
        expectDistinct(x.adopters, r.adopters, `${x.feature} adopters`);
        expect(x.uses).toBe(r.uses);
        expect(x.firstSeen).toBe(r.firstSeen);
        expect(x.medianDaysToFirstUse).toBe(documented[i].medianDaysToFirstUse);
        // Exact up to HLL error while a user's filtered use days are not interleaved with unfiltered ones
        // (true here: versions only go up, trials only convert); AGGREGATES.md gives the general error.
        expectDistinct(x.repeatAdopters, r.repeatAdopters, `${x.feature} repeatAdopters`);
      });
    });
  }
});

test('one OS or license type (and products): adopters and repeat adopters exact, from per-scope cells', async () => {
  const filters: SegmentFilter[] = [{ os: ['windows'] }, { licenseTypes: ['enterprise'] }, { licenseTypes: ['trial'], products: [f.data.products[0]] }];
  for (const filter of filters) {
    for (const range of [span(0, 59), span(20, 44)]) {
      const ref = refFeatureAdoption(f.events, range, filter);
      expect(ref.length).toBeGreaterThan(0);
      const approx = await featureAdoption(f.h.ctx, { range, filter });
      const pick = (x: (typeof ref)[number]) => [x.feature, x.activeUsers, x.adopters, x.repeatAdopters, x.uses, x.firstSeen];
      expect(approx.map(pick)).toEqual(ref.map(pick));
    }
  }
});

test('segment filter with chosen features, a range far from the first day: distinct counts within bounds, the rest exact', async () => {
  const range = span(35, 59);
  const filter: SegmentFilter = { os: ['windows', 'linux'] };
  const features = ['timeline', 'save', 'nope', 'ai_assist'];
  const ref = refFeatureAdoption(f.events, range, filter, features);
  const documented = refFeatureAdoption(f.events, range, filter, features, 'product');
  expect(ref.length).toBeGreaterThan(1);
  const approx = await featureAdoption(f.h.ctx, { range, filter, features });
  expect(approx.map((x) => x.feature)).toEqual(ref.map((x) => x.feature));
  approx.forEach((x, i) => {
    const r = ref[i];
    expectDistinct(x.activeUsers, r.activeUsers, `${x.feature} activeUsers`);
    expectDistinct(x.adopters, r.adopters, `${x.feature} adopters`);
    expectDistinct(x.repeatAdopters, r.repeatAdopters, `${x.feature} repeatAdopters`);
    expect([x.uses, x.firstSeen, x.medianDaysToFirstUse]).toEqual([r.uses, r.firstSeen, documented[i].medianDaysToFirstUse]);
  });
});

test('a feature released mid-range is first seen on its release day, and its median counts from there', async () => {
  const [timeline] = await featureAdoption(f.h.ctx, { range: span(0, 59), features: ['timeline'] });
  const firstUse = f.events.filter((e) => e.name === 'timeline').map((e) => e.day).sort()[0];
  expect(timeline.firstSeen).toBe(firstUse);
  expect(timeline.medianDaysToFirstUse).toBeGreaterThanOrEqual(0);
});

test('features never used are left out; no feature used means no entry', async () => {
  expect(await featureAdoption(f.h.ctx, { range: span(0, 59), features: ['does-not-exist'] })).toEqual([]);
  expect(await featureAdoption(f.h.ctx, { range: span(0, 59), filter: { countries: ['FR'] } })).toEqual([]);
});

test('weightedMedian interpolates like quantile_cont', () => {
  expect(weightedMedian([])).toBeNull();
  expect(weightedMedian([{ value: 3, weight: 1 }])).toBe(3);
  expect(weightedMedian([{ value: 1, weight: 1 }, { value: 4, weight: 1 }])).toBe(2.5);
  expect(weightedMedian([{ value: 0, weight: 3 }, { value: 10, weight: 1 }])).toBe(0);
  expect(weightedMedian([{ value: 0, weight: 2 }, { value: 10, weight: 2 }])).toBe(5);
});
