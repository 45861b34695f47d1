/**
 * Arrow column builders fed straight from DuckDB vectors (through @duckdb/node-bindings, the
 * package @duckdb/node-api is built on): one per column of a result, each turning a chunk's vector
 * into Arrow buffers and handing over a batch's worth as Arrow Data. Used by arrow-stream.ts.
 */
import type { DuckDBDecimalType, DuckDBType } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  Timestamp,
  TimeUnit,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from 'apache-arrow';

/** Rows per record batch (buffers are sized for it and grow past it only for oversized chunks). */
export const BATCH_ROWS = 65_536;
/** DuckDB's string_t: 4 bytes length, then 12 inline bytes or a 4-byte prefix and an 8-byte pointer. */
const STRING_T = 16;
const INLINE_MAX = 12;

type TypedArrayCtor =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export interface ColumnSink {
  readonly type: DataType;
  append(vector: duckdb.Vector, rows: number): void;
  /** Bytes of variable-length data held (0 for fixed-width columns). */
  heldBytes(): number;
  /**
   * The accumulated rows as Arrow Data; the sink starts empty again. The Data may be views of the
   * sink's own buffers: it stays valid until the next take(), as the sink fills a second set of
   * buffers meanwhile (so one batch can be written out while the next is built).
   */
  take(): Data;
}

/** Set bits per byte value, for counting NULLs in a copied validity mask. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

/**
 * A batch's validity, kept as Arrow's bitmap. DuckDB's mask (uint64 words, least significant bit
 * first) has the same bit order, so a chunk that starts on a byte boundary of the batch (all but
 * the rare chunk after a short one) is copied bytewise; other cases go bit by bit.
 */
class Validity {
  private bits: Uint8Array<ArrayBuffer> = new Uint8Array(BATCH_ROWS / 8);
  /** The other set (see ColumnSink.take); allocated at the first take. */
  private spare: Uint8Array<ArrayBuffer> | null = null;
  nulls = 0;
  length = 0;
  /** Whether the chunk appended last had no NULLs (DuckDB hands over no mask then). */
  lastAllValid = true;

  append(vector: duckdb.Vector, rows: number): void {
    const end = this.length + rows;
    if (Math.ceil(end / 8) > this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, Math.ceil(end / 8)));
      grown.set(this.bits);
      this.bits = grown;
    }
    const src = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
    this.lastAllValid = !src;
    const bits = this.bits;
    let i = 0;
    if (this.length % 8 === 0) {
      const whole = rows >> 3;
      const at = this.length >> 3;
      if (!src) {
        bits.fill(0xff, at, at + whole);
      } else {
        bits.set(src.subarray(0, whole), at);
        let valid = 0;
        for (let b = 0; b < whole; b++) valid += POPCOUNT[src[b]];
        this.nulls += whole * 8 - valid;
      }
      i = whole * 8;
    }
    for (; i < rows; i++) {
      const row = this.length + i;
      const ok = !src || (src[i >> 3] >> (i & 7)) & 1;
      if (ok) bits[row >> 3] |= 1 << (row & 7);
      else {
        bits[row >> 3] &= ~(1 << (row & 7));
        this.nulls++;
      }
    }
    this.length = end;
  }

  isValid(row: number): boolean {
    return ((this.bits[row >> 3] >> (row & 7)) & 1) === 1;
  }

  /** The bitmap itself, for hot loops (valid until the next append). */
  bitmap(): Uint8Array {
    return this.bits;
  }

  take(): { nullCount: number; nullBitmap: Uint8Array | undefined } {
    const nullCount = this.nulls;
    const nullBitmap = nullCount > 0 ? this.bits.subarray(0, Math.ceil(this.length / 64) * 8) : undefined;
    this.nulls = 0;
    this.length = 0;
    // Every bit below `length` is written again by append, so the other set needs no clearing.
    const next = this.spare ?? new Uint8Array(this.bits.length);
    this.spare = this.bits;
    this.bits = next;
    return { nullCount, nullBitmap };
  }
}

class FixedSink implements ColumnSink {
  private buf: Uint8Array<ArrayBuffer>;
  /** The other set (see ColumnSink.take); allocated at the first take. */
  private spare: Uint8Array<ArrayBuffer> | null = null;
  private rows = 0;
  private readonly validity = new Validity();

  constructor(
    readonly type: DataType,
    private readonly width: number,
    private readonly ctor: TypedArrayCtor,
  ) {
    this.buf = new Uint8Array(BATCH_ROWS * width);
  }

  append(vector: duckdb.Vector, rows: number): void {
    const bytes = rows * this.width;
    this.ensure(this.rows * this.width + bytes);
    const data = duckdb.vector_get_data(vector, bytes);
    this.buf.set(data.subarray(0, bytes), this.rows * this.width);
    this.validity.append(vector, rows);
    this.rows += rows;
  }

  heldBytes(): number {
    return 0;
  }

  take(): Data {
    // A view, valid until the next take (see ColumnSink.take).
    const values = new this.ctor(this.buf.buffer, 0, this.rows);
    const { nullCount, nullBitmap } = this.validity.take();
    const length = this.rows;
    this.rows = 0;
    const next = this.spare ?? new Uint8Array(BATCH_ROWS * this.width);
    this.spare = this.buf;
    this.buf = next;
    return makeData({ type: this.type, length, nullCount, nullBitmap, data: values } as never);
  }

  private ensure(size: number): void {
    if (size <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(size, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.rows * this.width));
    this.buf = grown;
  }
}

/** DuckDB BOOLEAN is a byte per value; Arrow packs bits. */
class BoolSink implements ColumnSink {
  readonly type = new Bool();
  private values = new Uint8Array(BATCH_ROWS);
  private rows = 0;
  private readonly validity = new Validity();

  append(vector: duckdb.Vector, rows: number): void {
    if (this.rows + rows > this.values.length) {
      const grown = new Uint8Array(Math.max(this.values.length * 2, this.rows + rows));
      grown.set(this.values.subarray(0, this.rows));
      this.values = grown;
    }
    this.values.set(duckdb.vector_get_data(vector, rows).subarray(0, rows), this.rows);
    this.validity.append(vector, rows);
    this.rows += rows;
  }

  heldBytes(): number {
    return 0;
  }

  take(): Data {
    const packed = new Uint8Array(Math.ceil(this.rows / 64) * 8);
    for (let i = 0; i < this.rows; i++) if (this.values[i]) packed[i >> 3] |= 1 << (i & 7);
    const { nullCount, nullBitmap } = this.validity.take();
    const length = this.rows;
    this.rows = 0;
    return makeData({ type: this.type, length, nullCount, nullBitmap, data: packed });
  }
}

/**
 * Values converted one by one (aggregate exports only, so few rows): HUGEINT (what DuckDB's sum()
 * of integers returns) -> Int64, refused beyond its range; DECIMAL -> Float64.
 */
class ConvertingSink implements ColumnSink {
  private values: number[] | bigint[] = [];
  private readonly validity = new Validity();

  constructor(
    readonly type: Int64 | Float64,
    private readonly width: number,
    private readonly convert: (view: DataView, at: number) => number | bigint,
  ) {}

  append(vector: duckdb.Vector, rows: number): void {
    this.validity.append(vector, rows);
    const bytes = duckdb.vector_get_data(vector, rows * this.width);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const base = this.validity.length - rows;
    const out = this.values as (number | bigint)[];
    for (let i = 0; i < rows; i++) {
      out.push(this.validity.isValid(base + i) ? this.convert(view, i * this.width) : this.type instanceof Int64 ? 0n : 0);
    }
  }

  heldBytes(): number {
    return 0;
  }

  take(): Data {
    const data = this.type instanceof Int64 ? BigInt64Array.from(this.values as bigint[]) : Float64Array.from(this.values as number[]);
    const length = this.values.length;
    this.values = [];
    const { nullCount, nullBitmap } = this.validity.take();
    return makeData({ type: this.type, length, nullCount, nullBitmap, data } as never);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function hugeIntToInt64(column: string): (view: DataView, at: number) => bigint {
  return (view, at) => {
    const v = (view.getBigInt64(at + 8, true) << 64n) + view.getBigUint64(at, true);
    if (v < INT64_MIN || v > INT64_MAX) throw new Error(`column ${column}: ${v} does not fit Arrow Int64`);
    return v;
  };
}

function decimalToFloat(width: number, scale: number): { bytes: number; convert: (view: DataView, at: number) => number } {
  const div = 10 ** scale;
  if (width <= 4) return { bytes: 2, convert: (v, at) => v.getInt16(at, true) / div };
  if (width <= 9) return { bytes: 4, convert: (v, at) => v.getInt32(at, true) / div };
  if (width <= 18) return { bytes: 8, convert: (v, at) => Number(v.getBigInt64(at, true)) / div };
  return { bytes: 16, convert: (v, at) => Number((v.getBigInt64(at + 8, true) << 64n) + v.getBigUint64(at, true)) / div };
}

/**
 * Out-of-line strings are read in runs, one native call per run instead of per string. A run is
 * a sequence of strings (in row order) where each starts at or after the end of the previous one
 * and less than a page (4096 bytes) after it. Reading the whole run is memory-safe: every byte of
 * it lies between two bytes of live strings less than a page apart, so on a page that holds a live
 * string. In practice a chunk's strings from a Parquet page or a string function are adjacent in
 * one buffer, so a 2,048-row chunk takes a handful of calls; anything else falls back to shorter
 * runs, down to one string each. The gap bytes are never used.
 *
 * Copies avoid per-byte JS work where they can: strings of a run that are adjacent both in DuckDB's
 * buffer and in the batch (no inline string between them; NULLs take no bytes) are copied with one
 * `set`, so a column of long strings (ids, JSON text) costs a few copies per chunk; inline strings
 * (12 bytes or less, inside DuckDB's string_t) are written as three 32-bit words.
 */
const PAGE = 4096;
const MAX_RUN_BYTES = 8 * 1024 * 1024;
const TWO_32 = 4294967296;
/**
 * Inline strings are written as 12 bytes whatever their length: the bytes past a string's end
 * land where the following rows' strings go (or past the end of the batch's data), and every such
 * byte is written again, with the right value, by a later write: inline strings are written in row
 * order, and an out-of-line string is written when its run is copied, which is after every row
 * before it was handled. Out-of-line copies write exactly their bytes. The data buffer keeps this
 * much room past its end for the last row's overshoot.
 */
const INLINE_SLACK = INLINE_MAX;

/** VARCHAR -> Utf8 and BLOB -> Binary: offsets + data, copied as bytes. */
interface StringBuffers {
  offsets: Int32Array;
  data: Uint8Array<ArrayBuffer>;
  /** Over `data`, for the 32-bit writes of inline strings. */
  view: DataView;
}

function stringBuffers(): StringBuffers {
  const data = new Uint8Array(BATCH_ROWS * 16);
  return { offsets: new Int32Array(BATCH_ROWS + 1), data, view: new DataView(data.buffer) };
}

class StringSink implements ColumnSink {
  private offsets: Int32Array;
  private data: Uint8Array<ArrayBuffer>;
  private view: DataView;
  /** The other set of offsets and data (see ColumnSink.take); allocated at the first take. */
  private spare: StringBuffers | null = null;
  private rows = 0;
  private size = 0;
  private readonly validity = new Validity();
  /** Per chunk: rows of the current run and their addresses (x86-64 addresses fit a double exactly). */
  private runRows = new Int32Array(2048);
  private runPtrs = new Float64Array(2048);
  /** get_data_from_pointer reads the address from a buffer: the run's start is written here. */
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor(readonly type: Utf8 | Binary) {
    ({ offsets: this.offsets, data: this.data, view: this.view } = stringBuffers());
  }

  append(vector: duckdb.Vector, rows: number): void {
    if (this.rows + rows + 1 > this.offsets.length) {
      const grown = new Int32Array(Math.max(this.offsets.length * 2, this.rows + rows + 1));
      grown.set(this.offsets.subarray(0, this.rows + 1));
      this.offsets = grown;
    }
    if (rows > this.runRows.length) {
      this.runRows = new Int32Array(rows);
      this.runPtrs = new Float64Array(rows);
    }
    const base = this.rows;
    this.validity.append(vector, rows);
    let strings = duckdb.vector_get_data(vector, rows * STRING_T);
    // string_t as 32-bit words: [length, inline bytes or prefix, pointer low, pointer high].
    if (strings.byteOffset % 4 !== 0) strings = strings.slice();
    const words = new Uint32Array(strings.buffer, strings.byteOffset, rows * 4);
    // Pass 1: lengths -> offsets, so every string's place in `data` is known. (A NULL's length
    // word is not defined: it counts as 0.)
    const offsets = this.offsets;
    let size = this.size;
    if (this.validity.lastAllValid) {
      for (let i = 0; i < rows; i++) {
        size += words[i * 4];
        offsets[base + i + 1] = size;
      }
    } else {
      const valid = this.validity.bitmap();
      for (let i = 0; i < rows; i++) {
        const row = base + i;
        if ((valid[row >> 3] >> (row & 7)) & 1) size += words[i * 4];
        offsets[row + 1] = size;
      }
    }
    if (size + INLINE_SLACK > this.data.length) this.grow(size + INLINE_SLACK);
    const view = this.view;
    // Pass 2: inline strings directly, out-of-line ones gathered into runs.
    let runLength = 0;
    let runStart = 0;
    let runEnd = 0;
    for (let i = 0; i < rows; i++) {
      const to = offsets[base + i];
      const len = offsets[base + i + 1] - to;
      if (len === 0) continue;
      if (len <= INLINE_MAX) {
        view.setUint32(to, words[i * 4 + 1], true);
        view.setUint32(to + 4, words[i * 4 + 2], true);
        view.setUint32(to + 8, words[i * 4 + 3], true);
        continue;
      }
      const ptr = words[i * 4 + 2] + words[i * 4 + 3] * TWO_32;
      if (runLength > 0 && (ptr < runEnd || ptr - runEnd >= PAGE || ptr + len - runStart > MAX_RUN_BYTES)) {
        this.copyRun(runLength, runStart, runEnd, base);
        runLength = 0;
      }
      if (runLength === 0) runStart = ptr;
      this.runRows[runLength] = i;
      this.runPtrs[runLength] = ptr;
      runLength++;
      runEnd = ptr + len;
    }
    if (runLength > 0) this.copyRun(runLength, runStart, runEnd, base);
    this.size = size;
    this.rows += rows;
  }

  private copyRun(count: number, start: number, end: number, base: number): void {
    this.scratch.setUint32(0, start % TWO_32, true);
    this.scratch.setUint32(4, Math.floor(start / TWO_32), true);
    const bytes = duckdb.get_data_from_pointer(this.scratch.buffer as ArrayBuffer, 0, end - start);
    const data = this.data;
    const view = this.view;
    const source = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = this.offsets;
    const runRows = this.runRows;
    const runPtrs = this.runPtrs;
    for (let r = 0; r < count; ) {
      // The longest stretch of this run's strings that lie back to back in both buffers.
      const row = base + runRows[r];
      const from = runPtrs[r] - start;
      const to = offsets[row];
      let toEnd = offsets[row + 1];
      let fromEnd = from + (toEnd - to);
      for (r++; r < count; r++) {
        const next = base + runRows[r];
        if (offsets[next] !== toEnd || runPtrs[r] - start !== fromEnd) break;
        const e = offsets[next + 1];
        fromEnd += e - toEnd;
        toEnd = e;
      }
      const len = toEnd - to;
      if (len > 48) data.set(bytes.subarray(from, fromEnd), to);
      else {
        let k = 0;
        for (; k + 4 <= len; k += 4) view.setUint32(to + k, source.getUint32(from + k, true), true);
        for (; k < len; k++) data[to + k] = bytes[from + k];
      }
    }
  }

  heldBytes(): number {
    return this.size;
  }

  take(): Data {
    const length = this.rows;
    // Views, valid until the next take (see ColumnSink.take).
    const valueOffsets = this.offsets.subarray(0, length + 1);
    const data = this.data.subarray(0, this.size);
    const { nullCount, nullBitmap } = this.validity.take();
    this.rows = 0;
    this.size = 0;
    const next = this.spare ?? stringBuffers();
    this.spare = { offsets: this.offsets, data: this.data, view: this.view };
    this.offsets = next.offsets;
    this.data = next.data;
    this.view = next.view;
    this.offsets[0] = 0;
    return makeData({ type: this.type, length, nullCount, nullBitmap, valueOffsets, data } as never);
  }

  private grow(min: number): void {
    const grown = new Uint8Array(Math.max(min, this.data.length * 2));
    grown.set(this.data.subarray(0, this.size));
    this.data = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** The builder for a DuckDB column type; throws, naming the column, for a type with no mapping here. */
export function sinkFor(type: DuckDBType, column: string): ColumnSink {
  const typeId = type.typeId;
  switch (typeId) {
    case DuckDBTypeId.HUGEINT:
      return new ConvertingSink(new Int64(), 16, hugeIntToInt64(column));
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type as DuckDBDecimalType;
      const d = decimalToFloat(width, scale);
      return new ConvertingSink(new Float64(), d.bytes, d.convert);
    }
    case DuckDBTypeId.BOOLEAN:
      return new BoolSink();
    case DuckDBTypeId.TINYINT:
      return new FixedSink(new Int8(), 1, Int8Array);
    case DuckDBTypeId.SMALLINT:
      return new FixedSink(new Int16(), 2, Int16Array);
    case DuckDBTypeId.INTEGER:
      return new FixedSink(new Int32(), 4, Int32Array);
    case DuckDBTypeId.BIGINT:
      return new FixedSink(new Int64(), 8, BigInt64Array);
    case DuckDBTypeId.UTINYINT:
      return new FixedSink(new Uint8(), 1, Uint8Array);
    case DuckDBTypeId.USMALLINT:
      return new FixedSink(new Uint16(), 2, Uint16Array);
    case DuckDBTypeId.UINTEGER:
      return new FixedSink(new Uint32(), 4, Uint32Array);
    case DuckDBTypeId.UBIGINT:
      return new FixedSink(new Uint64(), 8, BigUint64Array);
    case DuckDBTypeId.FLOAT:
      return new FixedSink(new Float32(), 4, Float32Array);
    case DuckDBTypeId.DOUBLE:
      return new FixedSink(new Float64(), 8, Float64Array);
    case DuckDBTypeId.DATE:
      return new FixedSink(new DateDay(), 4, Int32Array);
    // The engine stores every TIMESTAMP in UTC; TIMESTAMPTZ is an instant (UTC micros) too.
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return new FixedSink(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), 8, BigInt64Array);
    case DuckDBTypeId.VARCHAR:
      return new StringSink(new Utf8());
    case DuckDBTypeId.BLOB:
      return new StringSink(new Binary());
    default:
      throw new Error(`column ${column}: DuckDB type ${DuckDBTypeId[typeId]} has no Arrow mapping here; cast it in the query`);
  }
}
