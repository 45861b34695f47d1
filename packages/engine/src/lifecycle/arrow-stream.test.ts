import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArrowStream } from './arrow-stream.ts';

let dir: string;
let instance: DuckDBInstance;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arrow-'));
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
});
afterAll(async () => {
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `sql` as an Arrow stream and reads it back: rows as plain JSON-able objects. */
async function roundTrip(sql: string, name: string): Promise<{ rows: Record<string, unknown>[]; count: number; types: string[] }> {
  const conn = await instance.connect();
  try {
    const path = join(dir, `${name}.arrows`);
    const count = await writeArrowStream(await conn.stream(sql), path);
    const table = tableFromIPC(await readFile(path));
    return { rows: table.toArray().map((r) => normalize(r.toJSON())), count, types: table.schema.fields.map((f) => String(f.type)) };
  } finally {
    conn.closeSync();
  }
}

function normalize(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
  return out;
}

async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
  }
}

describe('writeArrowStream', () => {
  it('keeps every string exactly: empty, inline, out of line, multi-byte, NULL, across batches and sources', async () => {
    // 70,000 rows: more than one record batch; strings of every length 0..300 built by
    // functions (adjacent in one heap), repeated from a dictionary, and constants.
    const sql = `SELECT i,
        CASE WHEN i % 11 = 0 THEN NULL ELSE repeat(chr(97 + (i % 26)::INT), (i * 7) % 300) END AS grown,
        CASE WHEN i % 5 = 0 THEN 'üñí✓-' || i ELSE 'x' || i END AS mixed,
        (['short', 'a-rather-long-dictionary-value', NULL, '', '日本語のテキストです'])[1 + (i % 5)::INT] AS dict,
        'constant value longer than twelve bytes' AS constant,
        md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS hex64
      FROM range(70000) r(i)`;
    const { rows, count } = await roundTrip(sql, 'strings');
    expect(count).toBe(70000);
    const expected = await duckRows(`SELECT i::VARCHAR AS i, grown, mixed, dict, constant, hex64 FROM (${sql}) ORDER BY i::BIGINT`);
    // Compared as text: a deep equality of 70,000 objects costs seconds.
    expect(JSON.stringify(rows.map((r) => ({ ...r, i: String(r.i) })))).toBe(JSON.stringify(expected));
  });

  it('keeps every value when batches reuse their buffers: NULL-free, NULL-heavy and shorter batches in turn', async () => {
    // 200,000 rows = four record batches, the last one short; each batch's pattern differs from
    // the one before (no NULLs then many, long strings then inline ones), so anything a batch
    // left behind in a reused buffer would show up in the next one.
    const sql = `SELECT i,
        CASE WHEN i // 65536 = 1 AND i % 3 = 0 THEN NULL ELSE i * 3 END AS n,
        CASE WHEN i // 65536 = 2 THEN (CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' || (i % 100) END)
             WHEN i // 65536 = 1 THEN 'inline-' || (i % 1000)
             ELSE 'a much longer out-of-line value number ' || i END AS s,
        CASE WHEN i % 65536 < 100 THEN NULL ELSE (DATE '2026-01-01' + (i % 400)::INTEGER) END AS d
      FROM range(200000) r(i)`;
    const { rows, count } = await roundTrip(sql, 'reuse');
    expect(count).toBe(200000);
    const expected = await duckRows(`SELECT i::VARCHAR AS i, n::VARCHAR AS n, s, epoch_ms(d::TIMESTAMP)::DOUBLE AS d FROM (${sql}) ORDER BY i::BIGINT`);
    const got = rows.map((r) => JSON.stringify({ i: String(r.i), n: r.n === null ? null : String(r.n), s: r.s, d: r.d }));
    const want = expected.map((r) => JSON.stringify(r));
    const firstDifference = got.findIndex((g, k) => g !== want[k]);
    expect(firstDifference === -1 ? null : { row: firstDifference, got: got[firstDifference], want: want[firstDifference] }).toBeNull();
    expect(got.length).toBe(want.length);
  });

  it('maps fixed-width types and NULLs bit for bit', async () => {
    const sql = `SELECT (i % 2 = 0) AS b, i::TINYINT AS i8, (i * 300)::SMALLINT AS i16, (i * 100000)::INTEGER AS i32,
        (i * 10000000000)::BIGINT AS i64, (18446744073709551615 - i)::UBIGINT AS u64, (i / 7.0)::DOUBLE AS f64,
        DATE '2026-01-01' + i::INTEGER AS d, TIMESTAMP '2026-01-01 00:00:00.123456' + to_seconds(i) AS ts,
        CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 1.5)::DOUBLE END AS maybe, encode('blob' || i) AS bin
      FROM range(100) r(i)`;
    const { rows, types } = await roundTrip(sql, 'fixed');
    expect(types).toEqual(['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Uint64', 'Float64', 'Date32<DAY>', 'Timestamp<MICROSECOND, UTC>', 'Float64', 'Binary']);
    expect(rows[5]).toEqual({
      b: false, i8: 5, i16: 1500, i32: 500000, i64: '50000000000', u64: '18446744073709551610', f64: 5 / 7,
      d: Date.UTC(2026, 0, 6), ts: Date.UTC(2026, 0, 1, 0, 0, 5, 123) + 0.456, maybe: 7.5, bin: Buffer.from('blob5').toString('hex'),
    });
    expect(rows.filter((r) => r.maybe === null)).toHaveLength(34);
    expect(rows.every((r, i) => r.b === (i % 2 === 0))).toBe(true);
  });

  it('narrows what sums and averages return: HUGEINT to Int64, DECIMAL to Float64', async () => {
    const { rows, types } = await roundTrip(
      `SELECT sum(i) AS total, (sum(i) * 1.25)::DECIMAL(20, 2) AS wide, 12.5::DECIMAL(4, 1) AS small, (-3.25)::DECIMAL(12, 2) AS mid,
              sum(i) FILTER (WHERE false) AS none FROM range(1000) r(i)`,
      'narrowed',
    );
    expect(types).toEqual(['Int64', 'Float64', 'Float64', 'Float64', 'Int64']);
    expect(rows).toEqual([{ total: '499500', wide: 624375, small: 12.5, mid: -3.25, none: null }]);
  });

  it('writes a valid stream with the schema when there are no rows', async () => {
    const { rows, count, types } = await roundTrip(`SELECT 'a'::VARCHAR AS s, 1.5::DOUBLE AS v WHERE false`, 'empty');
    expect(count).toBe(0);
    expect(rows).toEqual([]);
    expect(types).toEqual(['Utf8', 'Float64']);
  });

  it('refuses a type it cannot map, naming the column', async () => {
    await expect(roundTrip(`SELECT [1, 2] AS xs`, 'list')).rejects.toThrow(/column xs: .*LIST/);
  });
});
