/**
 * The SELECTs behind each export dataset. EVENTS columns are those of StoredEventRow (camelCase);
 * their types follow the format: binary formats (PARQUET, ARROW) keep native types (TIMESTAMP in
 * UTC, DATE, UBIGINT pseudonyms), text formats (CSV, NDJSON) carry exactly what `engine.scan()`
 * returns (ISO timestamp, decimal-string pseudonyms, and in NDJSON `properties` as an object).
 * DAILY_AGGREGATES comes from the aggregates module; its nested `latency` list stays nested where
 * the format has nesting (PARQUET, NDJSON) and is JSON text in CSV and ARROW.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { Day, ExportFormat, SegmentFilter } from '@telemetry/schema';
import { RAW_COLUMNS } from '../storage/columns.ts';
import { sqlFileList } from '../storage/duck.ts';
import { segmentFilterSql } from '../storage/filter-sql.ts';
import { STORED_ROW_SELECT } from '../storage/scan.ts';

export interface ExportQuery {
  readonly sql: string;
  readonly params: DuckDBValue[];
}

const TYPED_EVENT_SELECT = `event_id AS "eventId", product_id AS "productId", ts AS "timestamp", day::DATE AS "day", type,
  user_hash AS "userHash", session_id AS "sessionId", name, value, app_version AS "appVersion", os, os_version AS "osVersion",
  country, license_hash AS "licenseHash", license_type AS "licenseType", properties`;

/** STORED_ROW_SELECT with `properties` as JSON, so an NDJSON line is a StoredEventRow. */
const NDJSON_EVENT_SELECT = STORED_ROW_SELECT.replace(/\bproperties$/, 'json(properties) AS properties');
if (NDJSON_EVENT_SELECT === STORED_ROW_SELECT) throw new Error('STORED_ROW_SELECT no longer ends with properties: update NDJSON_EVENT_SELECT');

/** An empty relation with the raw columns, for a range without files (the export still has a header/schema). */
const EMPTY_RAW = `(SELECT ${Object.entries(RAW_COLUMNS)
  .map(([c, t]) => `NULL::${t} AS ${c}`)
  .join(', ')}, NULL::DATE AS day WHERE false)`;

export function rawSource(files: readonly string[]): string {
  return files.length > 0 ? `read_parquet(${sqlFileList([...files].sort())}, hive_partitioning = true)` : EMPTY_RAW;
}

function eventSelect(format: ExportFormat): string {
  if (format === 'PARQUET' || format === 'ARROW') return TYPED_EVENT_SELECT;
  if (format === 'NDJSON') return NDJSON_EVENT_SELECT;
  return STORED_ROW_SELECT;
}

/**
 * Raw events of [from, to] (both inclusive) matching the filter and, for a data access request,
 * one subject. Files are read in day order, so rows come out ordered by day (within a day, by
 * product, session and time: the order the files were written in). No global sort: it would cost
 * memory proportional to the export.
 */
export function eventsQuery(
  files: readonly string[],
  range: { from: Day; to: Day },
  filter: SegmentFilter | null,
  format: ExportFormat,
  subject?: { column: 'user_hash' | 'license_hash'; hash: string },
): ExportQuery {
  const params: DuckDBValue[] = [range.from, range.to];
  const f = segmentFilterSql(filter, 3);
  params.push(...f.params);
  let subjectSql = '';
  if (subject) {
    params.push(subject.hash);
    // The column comes from a closed union, the hash is a bound parameter.
    subjectSql = ` AND ${subject.column} = $${params.length}::UBIGINT`;
  }
  return {
    sql: `SELECT ${eventSelect(format)} FROM ${rawSource(files)}
          WHERE day BETWEEN $1::DATE AND $2::DATE AND ${f.sql}${subjectSql}`,
    params,
  };
}

/** Formats without nested columns get the aggregates' `latency` list as JSON text. */
export function dailyAggregatesFor(format: ExportFormat, query: ExportQuery): ExportQuery {
  if (format === 'PARQUET' || format === 'NDJSON') return query;
  return { sql: `SELECT * REPLACE (to_json(latency)::VARCHAR AS latency) FROM (${query.sql})`, params: query.params };
}
