import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { estimateByKey, HLL_M } from '../aggregate/hll.ts';
import { Sql } from '../storage/duck.ts';
import { ints, readColumns } from './columnar.ts';
import { MAX_PACKED_KEY, packedRegisterSql, REG_BITS, unionPackedKeys, unionRegisters, unpackRegisters } from './hll-union.ts';

/** Random register rows: keys in [0, nKeys), some −1 (skipped), regs over the whole range, rho 1..49. */
function rows(n: number, nKeys: number, seed: number): { keys: Int32Array; regs: Int32Array; rhos: Int32Array } {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const keys = new Int32Array(n);
  const regs = new Int32Array(n);
  const rhos = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = next() < 0.05 ? -1 : Math.floor(next() * nKeys);
    regs[i] = i % 7 === 0 ? HLL_M - 1 : Math.floor(next() * HLL_M);
    rhos[i] = 1 + Math.min(48, Math.floor(-Math.log2(1 - next())));
  }
  return { keys, regs, rhos };
}

/** The reference: aggregate/hll.ts's estimateByKey over the same rows, skipped rows left out. */
function reference(r: ReturnType<typeof rows>, nKeys: number): Float64Array {
  const keep = [...r.keys.keys()].filter((i) => r.keys[i] >= 0);
  return estimateByKey(
    Int32Array.from(keep, (i) => r.keys[i]),
    Int32Array.from(keep, (i) => r.regs[i]),
    Int32Array.from(keep, (i) => r.rhos[i]),
    nKeys,
  );
}

/** Equal up to summation order (sums of 2^-rho in another order may differ in the last bits). */
function expectSame(actual: Float64Array, want: Float64Array): void {
  expect(actual.length).toBe(want.length);
  actual.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, want[i])));
}

const pack = (r: ReturnType<typeof rows>, withKey: boolean) =>
  Int32Array.from(r.regs, (reg, i) => ((withKey ? Math.max(0, r.keys[i]) : 0) << REG_BITS) | (reg << 6) | r.rhos[i]);

test('dense and sparse unions equal estimateByKey, with and without keys packed above the registers', () => {
  for (const nKeys of [1, 5, 64, 65, 300]) {
    const r = rows(40_000, nKeys, nKeys);
    const want = reference(r, nKeys);
    expectSame(unionRegisters(r.keys, pack(r, false), nKeys), want);
    if (nKeys - 1 <= MAX_PACKED_KEY) {
      // SQL key = sketch + 1; SQL key 0 maps to −1 (skipped), like rows whose key is −1 here.
      const packed = Int32Array.from(r.regs, (reg, i) => ((r.keys[i] + 1) << REG_BITS) | (reg << 6) | r.rhos[i]);
      const keyOf = Int32Array.from({ length: nKeys + 1 }, (_, k) => k - 1);
      expectSame(unionPackedKeys(packed, keyOf, nKeys), want);
    }
  }
});

test('without keys, every row is one sketch', () => {
  const r = rows(10_000, 1, 9);
  r.keys.fill(0);
  expectSame(unionRegisters(null, pack(r, false), 1), reference(r, 1));
});

test('unpackRegisters inverts the packing; an empty input estimates 0', () => {
  const r = rows(1_000, 3, 4);
  const { regs, rhos } = unpackRegisters(pack(r, true));
  expect(regs).toEqual(r.regs);
  expect(rhos).toEqual(r.rhos);
  expect(unionRegisters(new Int32Array(0), new Int32Array(0), 3)).toEqual(new Float64Array(3));
});

let instance: DuckDBInstance;
let sql: Sql;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  sql = new Sql(await instance.connect());
});
afterAll(() => {
  sql.close();
  instance.closeSync();
});

test('packedRegisterSql packs like the JS side, the key above (operator precedence included)', async () => {
  await sql.run(`CREATE TABLE t AS SELECT (i % 65536)::USMALLINT AS reg, (1 + i % 49)::UTINYINT AS rho, (i % 300)::INTEGER AS k FROM range(70000) r(i)`);
  const { cols } = await readColumns(sql, `SELECT reg::INTEGER, rho::INTEGER, k, ${packedRegisterSql(null)}, ${packedRegisterSql('f.k', 'f.')} FROM t f`);
  const [reg, rho, k, bare, keyed] = [0, 1, 2, 3, 4].map((i) => ints(cols, i));
  expect(reg.length).toBe(70000);
  expect(bare).toEqual(reg.map((x, i) => (x << 6) | rho[i]));
  expect(keyed).toEqual(reg.map((x, i) => (k[i] << REG_BITS) | (x << 6) | rho[i]));
});
