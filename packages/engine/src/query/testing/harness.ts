/**
 * Drives the aggregates the way the loader does, without the rest of the engine: each batch is
 * validated, deduplicated against everything stored, put in a temp table `new_events` (RAW_COLUMNS
 * plus day), folded by `metricsAggregator.applyBatch` inside a transaction, and written as
 * day-partitioned Parquet for EXACT queries. `ctx` is a QueryContext over the same database.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Day, TelemetrySettings } from '@telemetry/schema';
import { metricsAggregator } from '../../aggregate/index.ts';
import { pruneUserState } from '../../aggregate/prune.ts';
import { RAW_COLUMN_NAMES } from '../../storage/columns.ts';
import { Sql, SqlPool, sqlString } from '../../storage/duck.ts';
import type { QueryContext } from '../context.ts';
import { acceptEvent, type ValidEvent, type WireEvent } from './dataset.ts';

export function pseudonym(id: string): string {
  return createHash('sha256').update(`test-secret\u001f${id}`).digest().readBigUInt64BE(0).toString();
}

export class MetricsHarness {
  readonly expired = new Set<Day>();
  private readonly seen = new Set<string>();
  private seq = 0;
  readonly ctx: QueryContext;
  today: Day;

  private constructor(
    readonly dir: string,
    readonly instance: DuckDBInstance,
    readonly writer: Sql,
    readonly pool: SqlPool,
    today: Day,
  ) {
    this.today = today;
    const self = this;
    const settings: TelemetrySettings = { enabled: true, storageDurationDays: 90, updatedAt: null };
    this.ctx = {
      pool,
      today: () => self.today,
      nowMs: () => Date.parse(`${self.today}T12:00:00Z`),
      settings: () => settings,
      leaseRawFiles: (from, to) => ({ files: self.filesSync(from, to), release: () => undefined }),
      expiredDaysIn: (from, to) => [...self.expired].filter((d) => d >= from && d <= to).sort(),
    };
  }

  static async create(today: string): Promise<MetricsHarness> {
    const dir = await mkdtemp(join(tmpdir(), 'metrics-'));
    const instance = await DuckDBInstance.create(join(dir, 'engine.duckdb'), { threads: '2' });
    const writer = new Sql(await instance.connect());
    await metricsAggregator.init(writer);
    const pool = await SqlPool.create(instance, 2);
    const h = new MetricsHarness(dir, instance, writer, pool, today as Day);
    await h.refreshFiles();
    return h;
  }

  /** Loads one arrival batch. Returns how many events were new. */
  async ingest(batch: readonly WireEvent[]): Promise<number> {
    const rows: string[] = [];
    const inBatch = new Set<string>();
    for (const w of batch) {
      const e = acceptEvent(w);
      if (!e) continue;
      const key = `${e.productId}\u001f${e.eventId}`;
      if (this.seen.has(key) || inBatch.has(key)) continue;
      if (this.expired.has(e.day as Day)) continue;
      inBatch.add(key);
      rows.push(JSON.stringify(toRow(e)));
    }
    for (const k of inBatch) this.seen.add(k);
    if (rows.length === 0) return 0;
    const seq = ++this.seq;
    const file = join(this.dir, `batch-${seq}.ndjson`);
    await writeFile(file, rows.join('\n') + '\n');
    await this.writer.run(`CREATE OR REPLACE TEMP TABLE new_events AS
      SELECT event_id, product_id, epoch_ms(ts) AS ts, type, user_hash::UBIGINT AS user_hash, session_id, name, value,
             app_version, os, os_version, country, license_hash::UBIGINT AS license_hash, license_type, properties,
             CAST(epoch_ms(ts) AS DATE) AS day
      FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {
        event_id: 'VARCHAR', product_id: 'VARCHAR', ts: 'BIGINT', type: 'VARCHAR', user_hash: 'VARCHAR', session_id: 'VARCHAR',
        name: 'VARCHAR', value: 'DOUBLE', app_version: 'VARCHAR', os: 'VARCHAR', os_version: 'VARCHAR', country: 'VARCHAR',
        license_hash: 'VARCHAR', license_type: 'VARCHAR', properties: 'VARCHAR'})`);
    await this.writer.transaction(() => metricsAggregator.applyBatch(this.writer, 'new_events'));
    await this.writer.run(
      `COPY (SELECT ${RAW_COLUMN_NAMES.join(', ')}, day FROM new_events)
       TO ${sqlString(join(this.dir, 'events'))} (FORMAT parquet, PARTITION_BY (day), FILENAME_PATTERN ${sqlString(`b${seq}_{i}`)}, OVERWRITE_OR_IGNORE true)`,
    );
    await this.writer.run('DROP TABLE new_events');
    await rm(file);
    await this.refreshFiles();
    return rows.length;
  }

  async ingestAll(batches: readonly (readonly WireEvent[])[]): Promise<void> {
    for (const b of batches) await this.ingest(b);
  }

  /** Retention of one day: its raw files go, it is sealed, per-user state is pruned to keptFrom. */
  async dropDays(days: readonly Day[], keptFrom: Day): Promise<void> {
    for (const d of days) {
      await rm(join(this.dir, 'events', `day=${d}`), { recursive: true, force: true });
      this.expired.add(d);
    }
    await this.writer.transaction(() => pruneUserState(this.writer, keptFrom));
    await this.refreshFiles();
  }

  private files: { day: string; path: string }[] = [];

  private async refreshFiles(): Promise<void> {
    const root = join(this.dir, 'events');
    const out: { day: string; path: string }[] = [];
    for (const d of await readdir(root).catch(() => [] as string[])) {
      const m = /^day=(\d{4}-\d{2}-\d{2})$/.exec(d);
      if (!m) continue;
      for (const f of await readdir(join(root, d))) out.push({ day: m[1], path: join(root, d, f) });
    }
    this.files = out;
  }

  filesSync(from: string, to: string): string[] {
    return this.files.filter((f) => f.day >= from && f.day <= to).map((f) => f.path);
  }

  async close(): Promise<void> {
    this.pool.close();
    this.writer.close();
    this.instance.closeSync();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function toRow(e: ValidEvent): Record<string, unknown> {
  return {
    event_id: e.eventId,
    product_id: e.productId,
    ts: e.tsMs,
    type: e.type,
    user_hash: pseudonym(e.userId),
    session_id: e.sessionId,
    name: e.name,
    value: e.value,
    app_version: e.appVersion,
    os: e.os,
    os_version: null,
    country: e.country,
    license_hash: null,
    license_type: e.licenseType,
    properties: null,
  };
}
