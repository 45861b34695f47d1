import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import type { Sql, SqlParams } from '../storage/duck.ts';

/**
 * Reads a result whose columns are all INTEGER (or DOUBLE, see `doubles`) into typed arrays, one per
 * column, straight from DuckDB's vectors: a million register rows arrive in a few milliseconds,
 * where row objects would take tens. Columns must hold no NULL (coalesce in SQL).
 */
export async function readColumns(
  sql: Sql,
  query: string,
  params?: SqlParams,
  doubles: readonly number[] = [],
): Promise<{ rows: number; cols: (Int32Array | Float64Array)[] }> {
  const result: DuckDBMaterializedResult = await sql.connection.run(query, params);
  const nCols = result.columnCount;
  let rows = 0;
  const chunks = [];
  for (let i = 0; i < result.chunkCount; i++) {
    const chunk = result.getChunk(i);
    rows += chunk.rowCount;
    chunks.push(chunk);
  }
  const cols: (Int32Array | Float64Array)[] = [];
  for (let c = 0; c < nCols; c++) {
    const out = doubles.includes(c) ? new Float64Array(rows) : new Int32Array(rows);
    let at = 0;
    for (const chunk of chunks) {
      const vector = chunk.getColumnVector(c);
      const items = (vector as unknown as { items?: ArrayLike<number> }).items;
      const n = chunk.rowCount;
      if (items && ArrayBuffer.isView(items) && items.length >= n) {
        out.set((items as Int32Array).subarray(0, n), at);
      } else {
        for (let r = 0; r < n; r++) out[at + r] = Number(vector.getItem(r));
      }
      at += n;
    }
    cols.push(out);
  }
  return { rows, cols };
}

export function ints(cols: (Int32Array | Float64Array)[], i: number): Int32Array {
  return cols[i] as Int32Array;
}

export function doubles(cols: (Int32Array | Float64Array)[], i: number): Float64Array {
  return cols[i] as Float64Array;
}
