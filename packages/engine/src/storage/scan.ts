import type { Day } from '@telemetry/schema';
import type { ScanQuery, StoredEventRow } from '../engine.ts';
import type { Subject } from '../engine.ts';
import type { QueryContext } from '../query/context.ts';
import { sqlFileList } from './duck.ts';
import { segmentFilterSql } from './filter-sql.ts';

interface ScanContext extends QueryContext {
  pseudonymOf(subject: Subject): { column: 'user_hash' | 'license_hash'; hash: string };
}

/** The SELECT list that turns stored columns into the StoredEventRow shape. */
export const STORED_ROW_SELECT = `event_id AS "eventId", product_id AS "productId",
  strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS "timestamp", day::VARCHAR AS "day", type,
  user_hash::VARCHAR AS "userHash", session_id AS "sessionId", name, value, app_version AS "appVersion",
  os, os_version AS "osVersion", country, license_hash::VARCHAR AS "licenseHash", license_type AS "licenseType", properties`;

/** Rows of stored events in [from, to] matching the filter/subject, in time order, streamed. */
export async function* scanRows(ctx: ScanContext, query: ScanQuery): AsyncIterable<StoredEventRow> {
  const lease = ctx.leaseRawFiles(query.range.from as Day, query.range.to as Day);
  try {
    if (lease.files.length === 0) return;
    const { sql: where, params } = segmentFilterSql(query.filter, 1);
    let subjectSql = '';
    const all: (string | number)[] = [...params];
    if (query.subject) {
      const { column, hash } = ctx.pseudonymOf(query.subject);
      all.push(hash);
      subjectSql = ` AND ${column} = $${all.length}::UBIGINT`;
    }
    const sql = await ctx.pool.acquire();
    try {
      const result = await sql.connection.stream(
        `SELECT ${STORED_ROW_SELECT} FROM read_parquet(${sqlFileList(lease.files)}, hive_partitioning = true)
         WHERE ${where}${subjectSql} ORDER BY ts, product_id, event_id`,
        all,
      );
      for await (const rows of result.yieldRowObjectJs()) {
        for (const r of rows) yield toRow(r);
      }
    } finally {
      ctx.pool.release(sql);
    }
  } finally {
    lease.release();
  }
}

function toRow(r: Record<string, unknown>): StoredEventRow {
  return {
    eventId: r.eventId as string,
    productId: r.productId as string,
    timestamp: r.timestamp as string,
    day: r.day as string,
    type: r.type as string,
    userHash: r.userHash as string,
    sessionId: r.sessionId as string,
    name: (r.name as string | null) ?? null,
    value: (r.value as number | null) ?? null,
    appVersion: r.appVersion as string,
    os: r.os as string,
    osVersion: (r.osVersion as string | null) ?? null,
    country: r.country as string,
    licenseHash: (r.licenseHash as string | null) ?? null,
    licenseType: r.licenseType as string,
    properties: r.properties ? (JSON.parse(r.properties as string) as Record<string, unknown>) : null,
  };
}
