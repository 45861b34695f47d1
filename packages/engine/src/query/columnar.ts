import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Sql, SqlParams } from '../storage/duck.ts';

type Columns = { rows: number; cols: (Int32Array | Float64Array)[] };

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
): Promise<Columns> {
  return toColumns(await sql.connection.run(query, params), doubles);
}

/** Prepared statements kept per connection, most recently used last (the query functions' fixed texts). */
const MAX_PREPARED = 64;
const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/**
 * readColumns for the query functions: the statement is prepared once per connection and text, then
 * only bound and run — parsing and planning a dashboard statement costs about a millisecond, as much as
 * running it on a small range. Texts must not embed values that vary per call (bind them).
 */
export async function queryColumns(sql: Sql, query: string, params: Record<string, unknown> = {}, doubles: readonly number[] = []): Promise<Columns> {
  let cache = statements.get(sql.connection);
  if (!cache) statements.set(sql.connection, (cache = new Map()));
  let statement = cache.get(query);
  if (statement) cache.delete(query);
  else {
    statement = await sql.connection.prepare(query);
    if (cache.size >= MAX_PREPARED) {
      const [oldest, old] = cache.entries().next().value!;
      cache.delete(oldest);
      old.destroySync();
    }
  }
  cache.set(query, statement);
  statement.clearBindings();
  statement.bind(params as Record<string, never>);
  return toColumns(await statement.run(), doubles);
}

function toColumns(result: DuckDBMaterializedResult, doubles: readonly number[]): Columns {
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
      if (items && ArrayBuffer.isView(items) && items.length >= n && !(items instanceof BigInt64Array || items instanceof BigUint64Array)) {
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
