import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { estimateByKey, estimateRegisters, HLL_M, HLL_MAX_RHO, hllRegRho, hllRegSql, hllRhoSql, mergeRegisters, sketchOf, slidingEstimates } from './hll.ts';

/** Uniform 64-bit values from a seed (the pseudonyms are HMAC prefixes: uniform). */
function hashes(n: number, seed: number): bigint[] {
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n;
  const out: bigint[] = [];
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < n; i++) {
    // splitmix64
    s = (s + 0x9e3779b97f4a7c15n) & mask;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/** Register arrays are 64 KiB: compare them as bytes (a deep toEqual takes seconds). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

const hashSet = fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 300 });

describe('HyperLogLog merges', () => {
  test('the merge of two sketches is the sketch of the union', () => {
    fc.assert(
      fc.property(hashSet, hashSet, (a, b) => {
        expect(same(mergeRegisters(sketchOf(a), sketchOf(b)), sketchOf([...a, ...b]))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test('merging is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(hashSet, hashSet, hashSet, (a, b, c) => {
        const [x, y, z] = [sketchOf(a), sketchOf(b), sketchOf(c)];
        const m = (p: Uint8Array, q: Uint8Array) => mergeRegisters(p.slice(), q);
        expect(same(m(x, y), m(y, x))).toBe(true);
        expect(same(m(m(x, y), z), m(x, m(y, z)))).toBe(true);
        expect(same(m(x, x), x)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('HyperLogLog accuracy: within 2% or 2 (metrics.md)', () => {
  for (const n of [0, 1, 2, 3, 7, 20, 100, 500, 2_000, 10_000, 50_000, 200_000]) {
    test(`${n} distinct values, several seeds`, () => {
      const seeds = n >= 50_000 ? [1, 2] : [1, 2, 3, 4, 5];
      for (const seed of seeds) {
        const h = hashes(n, seed * 7919 + n);
        const est = estimateRegisters(sketchOf(h));
        expect(Math.abs(est - n), `n=${n} seed=${seed} est=${est}`).toBeLessThanOrEqual(Math.max(2, 0.02 * n));
        // Duplicates do not count.
        expect(estimateRegisters(sketchOf([...h, ...h.slice(0, n >> 1)]))).toBe(est);
      }
    });
  }

  test('small sets are exact', () => {
    for (let n = 0; n <= 50; n++) expect(Math.round(estimateRegisters(sketchOf(hashes(n, 99 + n))))).toBe(n);
  });
});

describe('the SQL register and rho match the JS ones', () => {
  test('for edge cases and random values', async () => {
    const values = [0n, 1n, (1n << 48n) - 1n, 1n << 48n, (1n << 64n) - 1n, 1n << 63n, 12345678901234567n, ...hashes(200, 5)];
    for (let k = 0; k < 64; k++) values.push(1n << BigInt(k));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll(
        `SELECT h::VARCHAR AS h, ${hllRegSql('h')}::INTEGER AS reg, ${hllRhoSql('h')}::INTEGER AS rho
         FROM (SELECT unnest(string_split($1, ','))::UBIGINT AS h)`,
        [values.join(',')],
      )
    ).getRowObjectsJS() as { h: string; reg: number; rho: number }[];
    for (const r of rows) expect({ reg: r.reg, rho: r.rho }, r.h).toEqual(hllRegRho(BigInt(r.h)));
    expect(hllRegRho(0n).rho).toBe(HLL_MAX_RHO);
    c.closeSync();
    db.closeSync();
  });
});

describe('batch estimators agree with merging sketches one by one', () => {
  const entries = fc.array(fc.record({ key: fc.nat(5), day: fc.nat(20), h: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), { maxLength: 400 });

  test('estimateByKey = estimate of each key’s merged sketch', () => {
    fc.assert(
      fc.property(entries, (es) => {
        const rr = es.map((e) => hllRegRho(e.h));
        const est = estimateByKey(
          Int32Array.from(es.map((e) => e.key)),
          Int32Array.from(rr.map((r) => r.reg)),
          Int32Array.from(rr.map((r) => r.rho)),
          6,
        );
        for (let k = 0; k < 6; k++) {
          expect(est[k]).toBeCloseTo(estimateRegisters(sketchOf(es.filter((e) => e.key === k).map((e) => e.h))), 9);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('slidingEstimates = estimate of the union of each window', () => {
    fc.assert(
      fc.property(entries, fc.constantFrom(1, 3, 7, 30), (es, w) => {
        const nDays = 21;
        const rr = es.map((e) => hllRegRho(e.h));
        const [est] = slidingEstimates(
          Int32Array.from(es.map((e) => e.day)),
          Int32Array.from(rr.map((r) => r.reg)),
          Int32Array.from(rr.map((r) => r.rho)),
          nDays,
          [w],
        );
        for (let d = 0; d < nDays; d++) {
          const inWindow = es.filter((e) => e.day <= d && e.day > d - w).map((e) => e.h);
          expect(est[d], `day ${d} window ${w}`).toBeCloseTo(estimateRegisters(sketchOf(inWindow)), 6);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('a dense sketch has 2^16 registers', () => {
    expect(sketchOf([]).length).toBe(HLL_M);
  });
});
