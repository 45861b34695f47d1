/**
 * The PostgreSQL peer of bench.md: the same fleet loaded into one plain indexed table of a stock
 * PostgreSQL, and the metric queries of metrics.md in plain SQL over it. It answers "what would the
 * obvious design — a row store and SQL — give on this machine", for ingest rate and query latency.
 */
import type { ClientBase } from 'pg';
import { isValidWireEvent } from './event-check.ts';
import { copyIn, copyText } from './pg-copy-in.ts';

export { startPostgres, type PostgresServer, type PostgresStart, type StartPostgresOptions } from './postgres-server.ts';
export { runPostgresQueries, type PostgresQueryRun, type PostgresQueryTiming } from './postgres-queries.ts';

/**
 * One row per stored event. `day` is the UTC day (the partition of ingest.md), derived from `ts` by the
 * server. Defaults of ingest.md are applied on load. The unique key gives "each eventId of a product
 * counts once"; (product_id, day) serves range scans, (user_id) erasure and per-user lookups.
 */
const CREATE_EVENTS_SQL = `
CREATE TABLE IF NOT EXISTS events (
  product_id   text NOT NULL,
  event_id     text NOT NULL,
  ts           timestamptz NOT NULL,
  day          date GENERATED ALWAYS AS ((ts AT TIME ZONE 'UTC')::date) STORED,
  type         text NOT NULL,
  user_id      text NOT NULL,
  session_id   text NOT NULL,
  name         text,
  value        double precision,
  app_version  text NOT NULL,
  os           text NOT NULL,
  os_version   text,
  country      text NOT NULL,
  license_id   text,
  license_type text NOT NULL,
  properties   jsonb,
  PRIMARY KEY (product_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_product_day ON events (product_id, day);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id);
`;

const COLUMNS =
  'product_id, event_id, ts, type, user_id, session_id, name, value, app_version, os, os_version, country, license_id, license_type, properties';

const UNNEST_INSERT_SQL = `
INSERT INTO events (${COLUMNS})
SELECT * FROM unnest(
  $1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[])
ON CONFLICT (product_id, event_id) DO NOTHING`;

/** Creates the events table and its indexes (idempotent). */
export async function createEventsTable(client: ClientBase): Promise<void> {
  await client.query(CREATE_EVENTS_SQL);
}

export type PostgresLoadMethod = 'unnest' | 'copy';

export interface PostgresLoadOptions {
  /**
   * `unnest` (default): one `INSERT ... SELECT FROM unnest($1::text[], ...) ON CONFLICT DO NOTHING` per
   * batch, column arrays as parameters. `copy`: `COPY` of the batch into a temp staging table, then
   * the same conflict-ignoring insert from it, in one transaction (COPY itself cannot skip duplicates).
   */
  readonly method?: PostgresLoadMethod;
  /** Create the table first (default true). */
  readonly createTable?: boolean;
  /** Run ANALYZE after loading, timed separately (default true: the queries need statistics). */
  readonly analyze?: boolean;
  readonly onProgress?: (itemsSoFar: number) => void;
}

export interface PostgresLoadResult {
  readonly method: PostgresLoadMethod;
  /** Items offered, valid or not. */
  readonly items: number;
  /** Rows stored (valid and not already stored). */
  readonly stored: number;
  /** Valid events skipped by the unique key: re-sends. */
  readonly duplicates: number;
  /** Items that break the contract, left out before they reach SQL. */
  readonly invalid: number;
  /** Wall time from the first batch to the last commit (each batch commits: durable like the engine's). */
  readonly ms: number;
  /** Part of `ms` spent waiting for the next batch from `batches` (e.g. generating it). */
  readonly sourceMs: number;
  /**
   * items / (ms - sourceMs): the peer's figure for `peer.postgres.ingestEventsPerSec`, excluding the
   * cost of producing the batches so it does not depend on where they come from.
   */
  readonly eventsPerSec: number;
  readonly analyzeMs: number;
}

/**
 * Loads batches of fleet items into the events table, one durable commit per batch, and reports the
 * rate. Invalid items are counted and skipped (the peer does no other validation, scrubbing or hashing:
 * it is the floor of work, not the same work).
 *
 * @example
 * const load = await loadIntoPostgres(client, fleetBatches({ seed: 1, events: 1e6 }, 10_000));
 * console.log(load.eventsPerSec);
 */
export async function loadIntoPostgres(
  client: ClientBase,
  batches: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
  options: PostgresLoadOptions = {},
): Promise<PostgresLoadResult> {
  const method = options.method ?? 'unnest';
  if (options.createTable ?? true) await createEventsTable(client);
  if (method === 'copy') {
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS events_stage (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    await client.query('ALTER TABLE events_stage DROP COLUMN IF EXISTS day');
  }
  let items = 0;
  let stored = 0;
  let invalid = 0;
  let valid = 0;
  let sourceMs = 0;
  const started = performance.now();
  let waitStart = started;
  for await (const batch of batches) {
    sourceMs += performance.now() - waitStart;
    items += batch.length;
    const events = batch.filter(isValidWireEvent) as Record<string, unknown>[];
    invalid += batch.length - events.length;
    valid += events.length;
    if (events.length > 0) {
      stored += method === 'copy' ? await copyBatch(client, events) : await unnestBatch(client, events);
    }
    options.onProgress?.(items);
    waitStart = performance.now();
  }
  const ms = performance.now() - started;
  sourceMs += performance.now() - waitStart;
  let analyzeMs = 0;
  if (options.analyze ?? true) {
    const t = performance.now();
    await client.query('ANALYZE events');
    analyzeMs = performance.now() - t;
  }
  return {
    method,
    items,
    stored,
    duplicates: valid - stored,
    invalid,
    ms,
    sourceMs,
    eventsPerSec: ms - sourceMs > 0 ? (items * 1000) / (ms - sourceMs) : 0,
    analyzeMs,
  };
}

async function unnestBatch(client: ClientBase, events: Record<string, unknown>[]): Promise<number> {
  const n = events.length;
  const cols: unknown[][] = Array.from({ length: 15 }, () => new Array(n));
  for (let i = 0; i < n; i++) {
    const e = events[i];
    cols[0][i] = e.productId;
    cols[1][i] = e.eventId;
    cols[2][i] = e.timestamp;
    cols[3][i] = e.type;
    cols[4][i] = e.userId;
    cols[5][i] = e.sessionId;
    cols[6][i] = e.name ?? null;
    cols[7][i] = e.value ?? null;
    cols[8][i] = e.appVersion ?? 'unknown';
    cols[9][i] = e.os ?? 'unknown';
    cols[10][i] = e.osVersion ?? null;
    cols[11][i] = e.country ?? 'ZZ';
    cols[12][i] = e.licenseId ?? null;
    cols[13][i] = e.licenseType ?? 'unknown';
    cols[14][i] = e.properties === undefined ? null : JSON.stringify(e.properties);
  }
  const result = await client.query(UNNEST_INSERT_SQL, cols);
  return result.rowCount ?? 0;
}

async function copyBatch(client: ClientBase, events: Record<string, unknown>[]): Promise<number> {
  const lines: string[] = [];
  for (const e of events) {
    lines.push(
      [
        copyText(e.productId as string),
        copyText(e.eventId as string),
        copyText(e.timestamp as string),
        copyText(e.type as string),
        copyText(e.userId as string),
        copyText(e.sessionId as string),
        copyText(e.name as string | undefined),
        copyText(e.value as number | undefined),
        copyText((e.appVersion as string | undefined) ?? 'unknown'),
        copyText((e.os as string | undefined) ?? 'unknown'),
        copyText(e.osVersion as string | undefined),
        copyText((e.country as string | undefined) ?? 'ZZ'),
        copyText(e.licenseId as string | undefined),
        copyText((e.licenseType as string | undefined) ?? 'unknown'),
        copyText(e.properties === undefined ? null : JSON.stringify(e.properties)),
      ].join('\t'),
    );
  }
  await client.query('BEGIN');
  try {
    await copyIn(client, `COPY events_stage (${COLUMNS}) FROM STDIN`, [lines.join('\n') + '\n']);
    const result = await client.query(
      `INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM events_stage ON CONFLICT (product_id, event_id) DO NOTHING`,
    );
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
