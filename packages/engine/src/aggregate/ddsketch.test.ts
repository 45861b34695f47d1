import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DD_ALPHA, ddBucket, ddBucketSql, ddMerge, ddQuantilesOfMap, ddSketchOf, ddValue } from './ddsketch.ts';

const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

function quantileCont(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}

/** Latency-like values: positive, some zero, spanning microseconds to minutes. */
const value = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
  fc.integer({ min: 1, max: 100_000 }),
);
const values = fc.array(value, { minLength: 1, maxLength: 400 });

describe('DDSketch merges', () => {
  test('the merge of two sketches is the sketch of both value sets', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        expect(ddMerge(ddSketchOf(a), ddSketchOf(b))).toEqual(ddSketchOf([...a, ...b]));
      }),
    );
  });

  test('merging is commutative and associative (sums per bucket)', () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const [x, y, z] = [ddSketchOf(a), ddSketchOf(b), ddSketchOf(c)];
        const m = (p: Map<number, number>, q: Map<number, number>) => ddMerge(new Map(p), q);
        const norm = (s: Map<number, number>) => [...s.entries()].sort((u, v) => u[0] - v[0]);
        expect(norm(m(x, y))).toEqual(norm(m(y, x)));
        expect(norm(m(m(x, y), z))).toEqual(norm(m(x, m(y, z))));
      }),
    );
  });
});

describe('DDSketch accuracy: interpolated quantiles within 2% of quantile_cont', () => {
  test('on arbitrary value sets', () => {
    fc.assert(
      fc.property(values, (vs) => {
        const got = ddQuantilesOfMap(ddSketchOf(vs), QS);
        QS.forEach((q, i) => {
          const exact = quantileCont(vs, q);
          expect(Math.abs(got[i] - exact), `q=${q} exact=${exact} got=${got[i]}`).toBeLessThanOrEqual(DD_ALPHA * exact + 1e-12);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('on log-normal latencies after merging many small sketches', () => {
    let seed = 17;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const all: number[] = [];
    const merged = new Map<number, number>();
    for (let part = 0; part < 50; part++) {
      const vs = Array.from({ length: 200 }, () => Math.exp(6 + 0.8 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand())));
      all.push(...vs);
      ddMerge(merged, ddSketchOf(vs));
    }
    const got = ddQuantilesOfMap(merged, [0.5, 0.9, 0.95, 0.99]);
    [0.5, 0.9, 0.95, 0.99].forEach((q, i) => expect(Math.abs(got[i] / quantileCont(all, q) - 1)).toBeLessThan(DD_ALPHA));
  });

  test('each value lies in its bucket and its representative is within α', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), (v) => {
        expect(Math.abs(ddValue(ddBucket(v)) - v)).toBeLessThanOrEqual(DD_ALPHA * v * (1 + 1e-9));
      }),
    );
    expect(ddValue(ddBucket(0))).toBe(0);
  });
});

test('the SQL bucket matches the JS bucket', async () => {
  const vs = [0, 1e-6, 0.5, 1, 2, 3.14159, 99.99, 100, 1000, 1234.5678, 65_000, 1e9];
  for (let i = 0; i < 300; i++) vs.push(Math.exp(i / 20) - 1);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (
    await c.runAndReadAll(`SELECT v, ${ddBucketSql('v')} AS b FROM (SELECT unnest(string_split($1, ','))::DOUBLE AS v)`, [vs.join(',')])
  ).getRowObjectsJS() as { v: number; b: number }[];
  for (const r of rows) expect(r.b, String(r.v)).toBe(ddBucket(r.v));
  c.closeSync();
  db.closeSync();
});
