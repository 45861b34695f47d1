import { type DuckDBValue, listValue } from '@duckdb/node-api';
import { type Day, type Dimension, RawDataExpiredError, type SegmentFilter } from '@telemetry/schema';
import { DIMENSION_COLUMNS, FILTER_COLUMNS, RAW_COLUMNS } from '../storage/columns.ts';
import { sqlFileList, type Sql } from '../storage/duck.ts';
import type { QueryContext } from './context.ts';

/** The raw columns with no rows: a range without files reads as "no events". */
const EMPTY_RAW = `(SELECT ${Object.entries(RAW_COLUMNS)
  .map(([c, t]) => `NULL::${t} AS ${c}`)
  .join(', ')}, NULL::DATE AS day WHERE false)`;

/**
 * Runs an EXACT query over the raw events: refuses with RawDataExpiredError when retention dropped
 * any day of [checkFrom, checkTo], leases the files of [from, to] for the duration (so neither
 * compaction nor retention deletes them underneath), and hands `fn` a FROM-able source.
 */
export async function withRawEvents<T>(
  ctx: QueryContext,
  check: { from: Day; to: Day },
  lease: { from: Day; to: Day },
  fn: (sql: Sql, source: string) => Promise<T>,
): Promise<T> {
  const expired = ctx.expiredDaysIn(check.from, check.to);
  if (expired.length > 0) throw new RawDataExpiredError(expired);
  const files = ctx.leaseRawFiles(lease.from, lease.to);
  try {
    const source =
      files.files.length > 0
        ? `read_parquet(${sqlFileList([...files.files].sort())}, hive_partitioning = true, hive_types = {'day': DATE})`
        : EMPTY_RAW;
    return await ctx.pool.use((sql) => fn(sql, source));
  } finally {
    files.release();
  }
}

/** A SegmentFilter as a condition on raw columns, values bound as named list parameters `$f_<list>`. */
export function rawFilterSql(filter: SegmentFilter): { sql: string; params: Record<string, DuckDBValue> } {
  const parts: string[] = [];
  const params: Record<string, DuckDBValue> = {};
  for (const key of Object.keys(FILTER_COLUMNS) as (keyof typeof FILTER_COLUMNS)[]) {
    const values = filter[key];
    if (!values || values.length === 0) continue;
    parts.push(`${FILTER_COLUMNS[key]} IN (SELECT unnest($f_${key}::VARCHAR[]))`);
    params[`f_${key}`] = listValue([...values]);
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'true', params };
}

/** The breakdown value of a raw event (a column from the closed DIMENSION_COLUMNS map). */
export function rawSegmentSql(breakdownBy: Dimension | null): string {
  return breakdownBy ? DIMENSION_COLUMNS[breakdownBy] : 'NULL::VARCHAR';
}
