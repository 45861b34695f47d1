import type { Sql } from '../storage/duck.ts';
import { AGGREGATE_TABLES, STATE_TABLES } from './tables.ts';

const BLOCK_SIZE = 262_144;
/** Uncompressed widths for rows not yet checkpointed (they sit in memory and the WAL). */
const TYPE_BYTES: Record<string, number> = { DATE: 4, INTEGER: 4, USMALLINT: 2, UTINYINT: 1, BIGINT: 8, UBIGINT: 8, TIMESTAMP: 8, VARCHAR: 16 };

export interface AggregateSize {
  /** Aggregate tables (kept forever): what storage.aggregateBytesPerEvent divides by events. */
  readonly aggregateBytes: number;
  /** Per-entity state (pruned with retention). */
  readonly stateBytes: number;
}

/**
 * Approximate on-disk bytes of the aggregate tables and of the per-entity state, from DuckDB's
 * storage info: a checkpointed segment spans from its offset to the next segment's offset in the
 * same block (the last one to the end of the block); segments not yet checkpointed count their
 * uncompressed width.
 */
export async function aggregateSize(sql: Sql): Promise<AggregateSize> {
  const out = { aggregateBytes: 0, stateBytes: 0 };
  const segments: { table: string; block: number; offset: number; extra: number }[] = [];
  const loose = new Map<string, number>();
  for (const table of [...AGGREGATE_TABLES, ...STATE_TABLES]) {
    const rows = await sql.all<{ block_id: number; block_offset: number; persistent: boolean; segment_type: string; count: number; extra: number }>(
      `SELECT block_id, block_offset, persistent, segment_type, count, len(additional_block_ids) AS extra
       FROM pragma_storage_info('${table}') WHERE segment_type <> 'VALIDITY' OR block_id >= 0`,
    );
    for (const r of rows) {
      if (r.persistent && r.block_id >= 0) segments.push({ table, block: r.block_id, offset: r.block_offset, extra: r.extra });
      else if (!r.persistent) loose.set(table, (loose.get(table) ?? 0) + r.count * (TYPE_BYTES[r.segment_type] ?? 8));
    }
  }
  const byBlock = new Map<number, typeof segments>();
  for (const s of segments) {
    const list = byBlock.get(s.block);
    if (list) list.push(s);
    else byBlock.set(s.block, [s]);
  }
  const add = (table: string, bytes: number): void => {
    if ((STATE_TABLES as readonly string[]).includes(table)) out.stateBytes += bytes;
    else out.aggregateBytes += bytes;
  };
  for (const list of byBlock.values()) {
    list.sort((a, b) => a.offset - b.offset);
    list.forEach((s, i) => add(s.table, (i + 1 < list.length ? list[i + 1].offset : BLOCK_SIZE) - s.offset + s.extra * BLOCK_SIZE));
  }
  for (const [table, bytes] of loose) add(table, bytes);
  return out;
}

/** Bytes the aggregate tables take (storage.aggregateBytesPerEvent = this / events). */
export async function aggregateBytes(sql: Sql): Promise<number> {
  return (await aggregateSize(sql)).aggregateBytes;
}
