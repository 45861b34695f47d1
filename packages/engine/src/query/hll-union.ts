import type { DuckDBValue } from '@duckdb/node-api';
import { estimateTouched, HLL_M, HLL_MAX_RHO, HLL_P, hllEstimate, POW2_NEG } from '../aggregate/hll.ts';
import type { Sql } from '../storage/duck.ts';
import { ints, queryColumns } from './columnar.ts';

/**
 * HyperLogLog unions of register rows read straight from the tables (aggregate/hll.ts), merged in JS.
 *
 * Why here and not `max(rho) GROUP BY …, reg` in DuckDB: that hash aggregate (up to 65,536 groups per
 * sketch) costs several times what reading the rows does. And why packed: each column of a result
 * costs a few native calls per 2,048-row chunk, so a million register rows read as one INTEGER column
 * (`reg << 6 | rho`, the sketch key above them when it fits) arrive in a fraction of the time of three.
 * Same registers, same estimator: the same answers as the SQL merge.
 */

/** Bits of rho (at most HLL_MAX_RHO = 49 < 2^6) and of the register below it. */
const RHO_BITS = 6;
const RHO_MASK = (1 << RHO_BITS) - 1;
/** Bits of a packed register (reg and rho). */
export const REG_BITS = HLL_P + RHO_BITS;
const REG_MASK = (1 << REG_BITS) - 1;
/** Largest sketch key that fits above a packed register in a non-negative INTEGER. */
export const MAX_PACKED_KEY = (1 << (31 - REG_BITS)) - 1;

/** SQL: `reg` and `rho` of a register row packed in one INTEGER, optionally below a key (0..MAX_PACKED_KEY). */
export function packedRegisterSql(key: string | null = null, alias = ''): string {
  const rr = `(${alias}reg::INTEGER << ${RHO_BITS}) | ${alias}rho::INTEGER`;
  return key === null ? `(${rr})` : `(((${key})::INTEGER << ${REG_BITS}) | ${rr})`;
}

/** The dense merge up to this many sketches (see `dense`); beyond, a sparse merge. */
const MAX_DENSE_KEYS = 64;

/**
 * Estimates of `nKeys` sketches from packed rows `packed[i] = key << REG_BITS | reg << 6 | rho`, the
 * key mapped through `keyOf` (sketch index, or −1 to skip the row).
 */
export function unionPackedKeys(packed: Int32Array, keyOf: Int32Array, nKeys: number): Float64Array {
  const n = packed.length;
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = packed[i] >>> REG_BITS;
    keys[i] = k < keyOf.length ? keyOf[k] : -1;
  }
  return unionRegisters(keys, packed, nKeys);
}

/**
 * Estimates of `nKeys` sketches: row i sets a register of sketch `keys[i]` (−1: skip the row) to at
 * least rho, the register and rho packed in the low REG_BITS bits of `packed[i]` (bits above ignored).
 */
export function unionRegisters(keys: Int32Array | null, packed: Int32Array, nKeys: number): Float64Array {
  return dense(nKeys, packed.length) ? denseUnion(keys, packed, nKeys) : sparseUnion(keys, packed, nKeys);
}

/** The dense merge pays off with few sketches and enough rows per sketch to fill a 64 KiB array. */
function dense(nKeys: number, rows: number): boolean {
  return nKeys <= MAX_DENSE_KEYS && rows * 16 >= nKeys * HLL_M;
}

/**
 * Per sketch a dense register array, and a histogram of its registers' values kept up to date as they
 * rise, so the estimate needs no pass over the registers (Ertl's estimator only needs the number of
 * non-empty registers and Σ 2^-rho). Rows are first grouped by sketch (a counting sort): one 64 KiB
 * array then serves every sketch in turn and stays in cache, where one array per sketch (4 MiB for
 * 64) would miss it on nearly every row. The registers end the same whatever the order of the rows.
 */
function denseUnion(keys: Int32Array | null, packed: Int32Array, nKeys: number): Float64Array {
  const { start, rows } = groupByKey(keys, packed, nKeys);
  const registers = new Uint8Array(HLL_M);
  const hist = new Int32Array(nKeys << RHO_BITS);
  for (let k = 0; k < nKeys; k++) {
    const h = k << RHO_BITS;
    for (let j = start[k]; j < start[k + 1]; j++) {
      const p = rows[j];
      const at = (p & REG_MASK) >>> RHO_BITS;
      const rho = p & RHO_MASK;
      const old = registers[at];
      if (rho > old) {
        registers[at] = rho;
        hist[h | rho]++;
        if (old > 0) hist[h | old]--;
      }
    }
    registers.fill(0);
  }
  return histogramEstimates(hist, nKeys);
}

/** Estimates from per-sketch histograms of register values (index rho; 0 unused). */
function histogramEstimates(hist: Int32Array, nKeys: number): Float64Array {
  const out = new Float64Array(nKeys);
  for (let k = 0; k < nKeys; k++) {
    let nonZero = 0;
    let sumPow = 0;
    let atMax = 0;
    for (let rho = 1; rho <= RHO_MASK; rho++) {
      const c = hist[(k << RHO_BITS) | rho];
      if (c === 0) continue;
      nonZero += c;
      if (rho >= HLL_MAX_RHO) atMax += c;
      else sumPow += c * POW2_NEG[rho];
    }
    out[k] = hllEstimate(nonZero, sumPow, atMax);
  }
  return out;
}

/** Many small sketches: a counting sort by key, then one shared scratch array reset through a touched list. */
function sparseUnion(keys: Int32Array | null, packed: Int32Array, nKeys: number): Float64Array {
  const { start, rows } = groupByKey(keys, packed, nKeys);
  const scratch = new Uint8Array(HLL_M);
  const touched = new Int32Array(HLL_M);
  const out = new Float64Array(nKeys);
  for (let k = 0; k < nKeys; k++) {
    let t = 0;
    for (let j = start[k]; j < start[k + 1]; j++) {
      const p = rows[j];
      const r = (p & REG_MASK) >>> RHO_BITS;
      const v = p & RHO_MASK;
      if (scratch[r] === 0) touched[t++] = r;
      if (v > scratch[r]) scratch[r] = v;
    }
    out[k] = estimateTouched(scratch, touched, t);
  }
  return out;
}

/**
 * The rows grouped by sketch (a counting sort, stable): sketch k's rows are rows[start[k]..start[k+1]).
 * Rows keyed −1 are left out; without keys every row belongs to sketch 0.
 */
function groupByKey(keys: Int32Array | null, packed: Int32Array, nKeys: number): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(nKeys + 1);
  if (keys === null) {
    start.fill(packed.length, 1);
    return { start, rows: packed };
  }
  const n = packed.length;
  for (let i = 0; i < n; i++) if (keys[i] >= 0) start[keys[i] + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nKeys);
  const rows = new Int32Array(start[nKeys]);
  for (let i = 0; i < n; i++) if (keys[i] >= 0) rows[fill[keys[i]]++] = packed[i];
  return { start, rows };
}

/** Splits packed registers into the `regs` and `rhos` arrays of aggregate/hll.ts (slidingEstimates). */
export function unpackRegisters(packed: Int32Array, from = 0, to = packed.length): { regs: Int32Array; rhos: Int32Array } {
  const regs = new Int32Array(to - from);
  const rhos = new Int32Array(to - from);
  for (let i = from; i < to; i++) {
    regs[i - from] = (packed[i] & REG_MASK) >>> RHO_BITS;
    rhos[i - from] = packed[i] & RHO_MASK;
  }
  return { regs, rhos };
}

/** Days of a read are packed below the segment id: a range and its look-back span fewer than 2^10 days. */
const DAY_BITS = 10;
const DAY_MASK = (1 << DAY_BITS) - 1;

/**
 * Reads register rows `(seg, day relative to $base, reg, rho)` of a FROM/WHERE clause (table alias
 * `f`), as two INTEGER columns when segment ids leave room for the day below them (up to 2^21
 * segments), else three; returns them unpacked per row, the registers still packed for the unions.
 */
export async function readRegisterRows(
  sql: Sql,
  maxSeg: number,
  fromWhere: readonly string[],
  params: Record<string, DuckDBValue>,
  key: ((part: number) => string) | null = null,
): Promise<{ rows: number; seg: Int32Array; day: Int32Array; packed: Int32Array }> {
  const day = `((f.day - DATE '1970-01-01')::INTEGER - $base)`;
  const narrow = maxSeg < 1 << (31 - DAY_BITS);
  const query = fromWhere
    .map((fw, part) => {
      const reg = packedRegisterSql(key ? key(part) : null, 'f.');
      return narrow ? `SELECT (f.seg << ${DAY_BITS}) | ${day}, ${reg} ${fw}` : `SELECT f.seg, ${day}, ${reg} ${fw}`;
    })
    .join('\nUNION ALL\n');
  const { rows, cols } = await queryColumns(sql, query, params);
  if (!narrow) return { rows, seg: ints(cols, 0), day: ints(cols, 1), packed: ints(cols, 2) };
  const segDay = ints(cols, 0);
  const seg = new Int32Array(rows);
  const days = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    seg[i] = segDay[i] >>> DAY_BITS;
    days[i] = segDay[i] & DAY_MASK;
  }
  return { rows, seg, day: days, packed: ints(cols, 1) };
}
