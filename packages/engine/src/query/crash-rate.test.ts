import type { DateRange, Dimension, Granularity, SegmentFilter } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { crashRate } from './crash-rate.ts';
import { expectDistinct, expectSameKeys } from './testing/bounds.ts';
import { type Fixture, loadFixture } from './testing/fixture.ts';
import { refCrashRate } from './testing/reference.ts';

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

/** `exactUsers`: every group is a user scope with exact cells (user-scopes.ts). */
const CASES: { g: Granularity; range: () => DateRange; filter?: SegmentFilter; breakdownBy?: Dimension; exactUsers: boolean }[] = [
  { g: 'DAY', range: () => span(0, 59), exactUsers: true },
  { g: 'WEEK', range: () => span(3, 59), breakdownBy: 'APP_VERSION', exactUsers: true },
  { g: 'MONTH', range: () => span(0, 59), filter: { products: ['beta.app'] }, exactUsers: true },
  { g: 'WEEK', range: () => span(10, 50), filter: { products: ['alpha', 'gamma-cli'] }, breakdownBy: 'PRODUCT', exactUsers: true },
  { g: 'DAY', range: () => span(30, 59), filter: { os: ['windows'] }, breakdownBy: 'LICENSE_TYPE', exactUsers: false },
  { g: 'MONTH', range: () => span(5, 59), filter: { appVersions: ['1.1'], countries: ['US', 'DE', 'JP'] }, exactUsers: false },
];

const key = (p: { period: string; segment: string | null }) => `${p.period}|${p.segment}`;

describe('crash rate answers the reference three ways', () => {
  for (const c of CASES) {
    test(`${c.g} ${JSON.stringify(c.filter ?? {})} ${c.breakdownBy ?? ''}`, async () => {
      const args = { range: c.range(), granularity: c.g, filter: c.filter, breakdownBy: c.breakdownBy };
      const ref = refCrashRate(f.events, args.range, c.g, c.filter, c.breakdownBy ?? null);
      expect(ref.some((p) => p.crashes > 0)).toBe(true);
      expect(await crashRate(f.h.ctx, { ...args, precision: 'EXACT' })).toEqual(ref);
      const approx = await crashRate(f.h.ctx, args);
      expectSameKeys(approx, ref, key, 'approx');
      approx.forEach((p, i) => {
        const r = ref[i];
        expect(p.crashes).toBe(r.crashes);
        // Sessions keep their segment in this fleet, so the per-segment session cells are exact.
        expect([p.sessions, p.crashedSessions]).toEqual([r.sessions, r.crashedSessions]);
        expectDistinct(p.crashedUsers, r.crashedUsers, `crashedUsers ${key(p)}`);
        if (c.exactUsers) expect(p.activeUsers).toBe(r.activeUsers);
        else expectDistinct(p.activeUsers, r.activeUsers, `activeUsers ${key(p)}`);
        expect(p.crashRate).toBe(p.sessions > 0 ? p.crashedSessions / p.sessions : 0);
        expect(p.crashFreeUsersRate).toBe(p.activeUsers > 0 ? 1 - p.crashedUsers / p.activeUsers : 1);
      });
    });
  }
});

test('periods without events: crash rate 0, crash-free users 1', async () => {
  const range = { from: '2020-01-01', to: '2020-01-03' } as DateRange;
  const points = await crashRate(f.h.ctx, { range });
  expect(points).toHaveLength(3);
  for (const p of points) expect(p).toMatchObject({ sessions: 0, crashRate: 0, activeUsers: 0, crashFreeUsersRate: 1 });
  expect(await crashRate(f.h.ctx, { range, precision: 'EXACT' })).toEqual(points);
});
