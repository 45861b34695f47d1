/**
 * DuckDB result -> Arrow IPC stream file, chunk by chunk, with flat memory: at most one record
 * batch (BATCH_ROWS rows or BATCH_BYTES of strings) is held in JS at a time.
 *
 * DuckDB 1.5 has no built-in Arrow IPC writer (the `arrow`/nanoarrow extension cannot be installed
 * here) and @duckdb/node-api exposes no Arrow export, so the vectors are read straight from
 * DuckDB's memory through @duckdb/node-bindings (the package node-api itself is built on):
 * fixed-width columns are copied with one `set` per chunk, strings are copied byte-wise into
 * Arrow's offsets+data buffers without ever becoming JS strings. Strings longer than 12 bytes,
 * which DuckDB keeps out of line, are fetched in runs of adjacent strings (see StringSink in arrow-columns.ts).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBResult } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { Field, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct } from 'apache-arrow';
import { BATCH_ROWS, sinkFor } from './arrow-columns.ts';

/** Flush a batch early once its string data reaches this (Utf8 offsets are 32-bit; memory stays flat). */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Streams every row of `result` into `path` as an Arrow IPC stream (schema, record batches, end
 * marker). Returns the number of rows. The caller makes the file durable and renames it.
 */
export async function writeArrowStream(result: DuckDBResult, path: string): Promise<number> {
  const names = result.columnNames();
  const sinks = names.map((name, i) => sinkFor(result.columnType(i), name));
  const schema = new Schema(names.map((name, i) => new Field(name, sinks[i].type, true)));
  const writer = new RecordBatchStreamWriter();
  const out = createWriteStream(path, { flags: 'wx' });
  const done = pipeline(writer.toNodeStream() as unknown as Readable, out);
  // Written up front so an empty result is still a valid stream (schema + end marker).
  writer.reset(undefined, schema);
  let total = 0;
  let held = 0;
  const flush = async (): Promise<void> => {
    if (held === 0) return;
    const children = sinks.map((s) => s.take());
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: held, nullCount: 0, children })));
    held = 0;
    // Backpressure: let the bytes reach the file before building the next batch.
    await new Promise((resolve) => setImmediate(resolve));
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  try {
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const rows = chunk.rowCount;
      if (held + rows > BATCH_ROWS) await flush();
      for (let c = 0; c < sinks.length; c++) sinks[c].append(duckdb.data_chunk_get_vector(chunk.chunk, c), rows);
      held += rows;
      total += rows;
      if (sinks.some((s) => s.heldBytes() >= BATCH_BYTES)) await flush();
    }
    await flush();
    writer.close();
    await done;
  } catch (err) {
    writer.abort(err);
    await done.catch(() => undefined);
    throw err;
  }
  return total;
}
