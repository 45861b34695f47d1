import { BadInputError, type DateRange, type Dimension, type SegmentFilter } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { activeUsers } from './active-users.ts';
import { expectDistinct, expectSameKeys } from './testing/bounds.ts';
import { type Fixture, loadFixture } from './testing/fixture.ts';
import { refActiveUsers } from './testing/reference.ts';

let f: Fixture;
beforeAll(async () => {
  f = await loadFixture();
});
afterAll(async () => {
  await f.h.close();
});

const key = (p: { day: string; segment: string | null }) => `${p.day}|${p.segment}`;

/** `exact`: every group is a scope with exact cells (products plus at most one value of one dimension). */
const CASES: { name: string; range: () => DateRange; filter?: SegmentFilter; breakdownBy?: Dimension; exact: boolean }[] = [
  { name: 'whole history', range: () => ({ from: f.data.firstDay, to: f.data.today }) as DateRange, exact: true },
  { name: 'last two weeks, by product', range: () => last(14), breakdownBy: 'PRODUCT', exact: true },
  { name: 'one product', range: () => last(40), filter: { products: ['alpha'] }, exact: true },
  { name: 'two products by product', range: () => last(30), filter: { products: ['alpha', 'gamma-cli'] }, breakdownBy: 'PRODUCT', exact: true },
  { name: 'windows', range: () => last(30), filter: { os: ['windows'] }, exact: true },
  { name: 'by app version', range: () => last(45), breakdownBy: 'APP_VERSION', exact: true },
  { name: 'product by OS', range: () => last(20), filter: { products: ['beta.app'] }, breakdownBy: 'OS', exact: true },
  { name: 'two countries by country', range: () => last(25), filter: { countries: ['DE', 'US'] }, breakdownBy: 'COUNTRY', exact: true },
  { name: 'two versions', range: () => last(30), filter: { appVersions: ['1.1', '2.0'] }, exact: false },
  { name: 'windows by license', range: () => last(30), filter: { os: ['windows'] }, breakdownBy: 'LICENSE_TYPE', exact: false },
  { name: 'countries and licenses', range: () => last(30), filter: { countries: ['DE', 'JP'], licenseTypes: ['trial', 'standard'] }, breakdownBy: 'LICENSE_TYPE', exact: false },
  { name: 'no match', range: () => last(7), filter: { countries: ['FR'] }, exact: true },
];

function last(days: number): DateRange {
  const to = f.data.today;
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to } as DateRange;
}

describe('activeUsers answers the reference three ways', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const args = { range: c.range(), filter: c.filter, breakdownBy: c.breakdownBy };
      const ref = refActiveUsers(f.events, args.range, c.filter, c.breakdownBy ?? null);
      const exact = await activeUsers(f.h.ctx, { ...args, precision: 'EXACT' });
      expect(exact).toEqual(ref);
      const approx = await activeUsers(f.h.ctx, args);
      expectSameKeys(approx, ref, key, c.name);
      approx.forEach((p, i) => {
        const r = ref[i];
        if (c.exact) {
          expect(p, key(p)).toEqual(r);
        } else {
          for (const m of ['dau', 'wau', 'mau'] as const) expectDistinct(p[m], r[m], `${m} ${key(p)}`);
        }
        expect(p.dau).toBeLessThanOrEqual(p.wau);
        expect(p.wau).toBeLessThanOrEqual(p.mau);
        expect(p.stickiness).toBe(p.mau > 0 ? p.dau / p.mau : 0);
      });
    });
  }
});

test('the windows reach back before range.from', async () => {
  const range = last(1);
  const [p] = await activeUsers(f.h.ctx, { range });
  expect(p.mau).toBeGreaterThan(p.dau);
  expect(p).toEqual(refActiveUsers(f.events, range)[0]);
});

test('a second call with no new batch is served from the cache, as a copy', async () => {
  const range = last(10);
  const a = await activeUsers(f.h.ctx, { range, filter: { os: ['linux'] } });
  a[0].dau = -1;
  const b = await activeUsers(f.h.ctx, { range, filter: { os: ['linux'] } });
  expect(b[0].dau).not.toBe(-1);
});

test('arguments are checked, naming the field', async () => {
  const bad = async (args: object, field: string) => {
    const err = await activeUsers(f.h.ctx, args as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).field).toBe(field);
  };
  await bad({ range: { from: '2025-03-02', to: '2025-03-01' } }, 'range.from');
  await bad({ range: { from: '2023-01-01', to: '2025-03-01' } }, 'range');
  await bad({ range: { from: '2025-02-30', to: '2025-03-01' } }, 'range.from');
  await bad({ range: last(3), breakdownBy: 'CITY' }, 'breakdownBy');
  await bad({ range: last(3), precision: 'ROUGH' }, 'precision');
  await bad({ range: last(3), filter: { product: ['alpha'] } }, 'filter.product');
});
