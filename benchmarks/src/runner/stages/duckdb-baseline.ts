import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Stage } from '../run-state.ts';

/**
 * The columns of ingest.md, typed as the engine types them. Named up front so DuckDB does not
 * sample the file to guess (the engine knows its schema too); `ignore_errors` lets the rows that
 * break a type (the fleet's malformed 0.1%) drop out, which is the only "validation" here.
 */
const COLUMNS = `{
  eventId: 'VARCHAR', timestamp: 'TIMESTAMPTZ', type: 'VARCHAR', productId: 'VARCHAR', userId: 'VARCHAR',
  sessionId: 'VARCHAR', name: 'VARCHAR', value: 'DOUBLE', appVersion: 'VARCHAR', os: 'VARCHAR', osVersion: 'VARCHAR',
  country: 'VARCHAR', licenseId: 'VARCHAR', licenseType: 'VARCHAR', properties: 'JSON'}`;

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * `ingest.baseline.duckdbCopyEventsPerSec`: the ceiling. One bare DuckDB reads the fleet's NDJSON
 * with read_json and writes day-partitioned zstd Parquet (the engine's format) in ONE statement:
 * no validation, pseudonyms, de-duplication, durability (no fsync) or aggregates. Only the COPY is
 * timed, on a fresh in-memory instance with DuckDB's default threads (all cores), like the engine's.
 */
export const duckdbBaselineStage: Stage = {
  name: 'duckdb-baseline',
  blockedBy: (state) => (state.ndjsonPath ? null : 'needs the NDJSON of fleet-file'),
  async run({ state, put }) {
    const out = join(state.tmpDir, 'baseline-parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      // UTC days, as the engine's partitions.
      await conn.run(`SET TimeZone = 'UTC'`);
      const t = performance.now();
      await conn.run(`COPY (
          SELECT *, CAST(timestamp AS DATE) AS day
          FROM read_json(${sqlString(state.ndjsonPath!)}, format = 'newline_delimited', columns = ${COLUMNS}, ignore_errors = true)
        ) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))`);
      const ms = performance.now() - t;
      put('ingest.baseline.duckdbCopyEventsPerSec', (state.options.events * 1000) / ms);
      put('ingest.baseline.seconds', ms / 1000);
      const rows = (await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(join(out, '*', '*.parquet'))})`)).getRowObjectsJS()[0];
      put('ingest.baseline.rows', Number(rows.n));
      let bytes = 0;
      for (const dir of await readdir(out)) {
        for (const f of await readdir(join(out, dir))) bytes += (await stat(join(out, dir, f))).size;
      }
      put('ingest.baseline.parquetBytesPerEvent', bytes / Number(rows.n));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  },
};
