/**
 * DuckDB result -> Arrow IPC stream file, chunk by chunk, with flat memory: at most two record
 * batches (BATCH_ROWS rows or BATCH_BYTES of strings each) are held in JS at a time, one being
 * written while the next is built, in two sets of buffers used in turn.
 *
 * DuckDB 1.5 has no built-in Arrow IPC writer (the `arrow`/nanoarrow extension cannot be installed
 * here) and @duckdb/node-api exposes no Arrow export, so the vectors are read straight from
 * DuckDB's memory through @duckdb/node-bindings (the package node-api itself is built on):
 * fixed-width columns are copied with one `set` per chunk, strings are copied byte-wise into
 * Arrow's offsets+data buffers without ever becoming JS strings. Strings longer than 12 bytes,
 * which DuckDB keeps out of line, are fetched in runs of adjacent strings (see StringSink in arrow-columns.ts).
 *
 * apache-arrow's RecordBatchStreamWriter encodes the messages; its output (the message metadata
 * and views of the column buffers, never copies) is collected synchronously and written with
 * `writev` while the sinks fill their other set of buffers (measured on 3M events: the conversion
 * waited 1.2-2.1 s for writes when each batch's write was awaited, 30-90 ms now). One DuckDB fetch
 * is always in flight, so producing the next chunk overlaps with converting the current one.
 */
import { open } from 'node:fs/promises';
import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { Field, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct } from 'apache-arrow';
import { AsyncByteQueue } from 'apache-arrow/io/stream';
import { BATCH_ROWS, sinkFor } from './arrow-columns.ts';

/** Flush a batch early once its string data reaches this (Utf8 offsets are 32-bit; memory stays flat). */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * The writer's sink: it keeps what the writer hands over — small metadata buffers and views of
 * the sinks' column buffers — until writeArrowStream writes it out. (The writer takes an
 * AsyncByteQueue as its sink as it is; the default one would pass each buffer through an async
 * iterator and a Node stream, one file write each.)
 */
class PendingBytes extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];

  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }

  take(): Uint8Array[] {
    const chunks = this.chunks;
    this.chunks = [];
    return chunks;
  }
}

/**
 * Bytes per write call. On this VM (kernel 6.18, ext4, virtio-balloon) a buffered write of 1 MB or
 * more into a new file costs about five times the kernel time of writes of 512 KB or less (1.2 GB:
 * 1.2-1.9 s of system time against 0.3 s, measured with plain write() loops), so batches are written
 * in groups of at most this many bytes.
 */
const WRITE_BYTES = 512 * 1024;

/** `chunks` cut into groups of at most WRITE_BYTES (a larger chunk is split into views). */
function* writeGroups(chunks: readonly Uint8Array[]): Generator<Uint8Array[]> {
  let group: Uint8Array[] = [];
  let size = 0;
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.byteLength; ) {
      const piece = chunk.subarray(at, at + (WRITE_BYTES - size));
      group.push(piece);
      size += piece.byteLength;
      at += piece.byteLength;
      if (size === WRITE_BYTES) {
        yield group;
        group = [];
        size = 0;
      }
    }
  }
  if (group.length > 0) yield group;
}

/**
 * Streams every row of `result` into `path` as an Arrow IPC stream (schema, record batches, end
 * marker). Returns the number of rows. The caller makes the file durable and renames it.
 */
export async function writeArrowStream(result: DuckDBResult, path: string): Promise<number> {
  const names = result.columnNames();
  const sinks = names.map((name, i) => sinkFor(result.columnType(i), name));
  const schema = new Schema(names.map((name, i) => new Field(name, sinks[i].type, true)));
  const file = await open(path, 'wx');
  const pending = new PendingBytes();
  const writer = new RecordBatchStreamWriter();
  // Written up front so an empty result is still a valid stream (schema + end marker).
  writer.reset(pending, schema);
  const writeOut = async (chunks: Uint8Array[]): Promise<void> => {
    for (const group of writeGroups(chunks)) {
      let size = 0;
      for (const c of group) size += c.byteLength;
      // writev writes all of it (libuv retries short writes); checked, as a short file would be a silent loss.
      const { bytesWritten } = await file.writev(group);
      if (bytesWritten !== size) throw new Error(`arrow export: wrote ${bytesWritten} of ${size} bytes`);
    }
  };
  let total = 0;
  let held = 0;
  // The previous batch's write, running while the next batch is built in the sinks' other buffers.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    if (held === 0) return;
    // The batch before holds views of the buffers the sinks switch back to on this take().
    await writing;
    const children = sinks.map((s) => s.take());
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: held, nullCount: 0, children })));
    held = 0;
    writing = writeOut(pending.take());
    // A failed write surfaces at the next await of `writing`; keep it from being reported as unhandled meanwhile.
    writing.catch(() => undefined);
  };
  // One fetch is always in flight: DuckDB produces the next chunk (on a libuv thread and its own)
  // while this thread converts the current one, so the two costs overlap instead of adding up.
  let next: Promise<DuckDBDataChunk | null> | null = result.fetchChunk();
  try {
    for (;;) {
      const chunk = await next;
      next = null;
      if (!chunk || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      const rows = chunk.rowCount;
      if (held + rows > BATCH_ROWS) await flush();
      for (let c = 0; c < sinks.length; c++) sinks[c].append(duckdb.data_chunk_get_vector(chunk.chunk, c), rows);
      held += rows;
      total += rows;
      if (sinks.some((s) => s.heldBytes() >= BATCH_BYTES)) await flush();
    }
    await flush();
    await writing;
    writer.close();
    await writeOut(pending.take());
  } catch (err) {
    // The connection runs one thing at a time: let the outstanding fetch finish before returning it;
    // and the file is closed below only once no write is running.
    await next?.catch(() => undefined);
    await writing.catch(() => undefined);
    writer.abort(err);
    throw err;
  } finally {
    await file.close();
  }
  return total;
}
