import type { DateRange, Dimension, Granularity, SegmentFilter } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { latency } from './latency.ts';
import { expectPercentile, expectSameKeys } from './testing/bounds.ts';
import { type Fixture, loadFixture } from './testing/fixture.ts';
import { refLatency } from './testing/reference.ts';

let f: Fixture;
beforeAll(async () => {
  f = await loadFixture();
});
afterAll(async () => {
  await f.h.close();
});

const all = (): DateRange => ({ from: f.data.firstDay, to: f.data.today }) as DateRange;
const CASES: { metric: string; g: Granularity; filter?: SegmentFilter; breakdownBy?: Dimension }[] = [
  { metric: 'startup', g: 'DAY' },
  { metric: 'startup', g: 'WEEK', breakdownBy: 'OS' },
  { metric: 'response', g: 'MONTH', filter: { products: ['alpha'] }, breakdownBy: 'APP_VERSION' },
  { metric: 'response', g: 'WEEK', filter: { countries: ['US', 'IN'], os: ['linux', 'macos'] } },
  { metric: 'startup', g: 'DAY', filter: { licenseTypes: ['enterprise'] }, breakdownBy: 'COUNTRY' },
];

const key = (p: { period: string; segment: string | null }) => `${p.period}|${p.segment}`;

describe('latency percentiles answer the reference three ways', () => {
  for (const c of CASES) {
    test(`${c.metric} by ${c.g} ${JSON.stringify(c.filter ?? {})} ${c.breakdownBy ?? ''}`, async () => {
      const args = { range: all(), metric: c.metric, granularity: c.g, filter: c.filter, breakdownBy: c.breakdownBy };
      const ref = refLatency(f.events, args.range, c.metric, c.g, c.filter, c.breakdownBy ?? null);
      expect(ref.length).toBeGreaterThan(0);
      const exact = await latency(f.h.ctx, { ...args, precision: 'EXACT' });
      expectSameKeys(exact, ref, key, 'exact');
      exact.forEach((p, i) => {
        expect(p.count).toBe(ref[i].count);
        for (const q of ['p50', 'p90', 'p95', 'p99'] as const) expect(p[q]).toBeCloseTo(ref[i][q], 6);
      });
      const approx = await latency(f.h.ctx, args);
      expectSameKeys(approx, ref, key, 'approx');
      approx.forEach((p, i) => {
        expect(p.count).toBe(ref[i].count);
        for (const q of ['p50', 'p90', 'p95', 'p99'] as const) expectPercentile(p[q], ref[i][q], `${q} ${key(p)}`);
      });
    });
  }
});

test('an unknown metric has no points', async () => {
  expect(await latency(f.h.ctx, { range: all(), metric: 'warp-drive' })).toEqual([]);
  expect(await latency(f.h.ctx, { range: all(), metric: 'warp-drive', precision: 'EXACT' })).toEqual([]);
});

test('metric must be a non-empty name', async () => {
  await expect(latency(f.h.ctx, { range: all(), metric: '' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'metric' });
  await expect(latency(f.h.ctx, { range: all(), metric: 'startup', granularity: 'YEAR' as never })).rejects.toMatchObject({ field: 'granularity' });
});
