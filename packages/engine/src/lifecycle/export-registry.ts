import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportDataset, ExportFormat } from '@telemetry/schema';
import type { ExportInfo } from '../engine.ts';
import type { Sql } from '../storage/duck.ts';

/** How long an export file is kept (api.graphql Export.expiresAt). */
export const EXPORT_TTL_MS = 24 * 60 * 60 * 1000;
/** Export files live in `<dataDir>/exports/`; the table stores paths relative to the data directory. */
export const EXPORTS_DIR = 'exports';
/** Files being written carry this prefix until they are renamed to `<id>.<ext>`. */
export const PARTIAL_PREFIX = '.partial-';

type ExportRow = {
  id: string;
  path: string;
  format: ExportFormat;
  dataset: ExportDataset;
  rows: number;
  bytes: number;
  expires_at: string;
};

/**
 * The registry of finished exports, a table in the engine's database. A file is registered only
 * after it is complete, fsynced and renamed to its final name; a file that is not registered
 * (a crash between rename and insert, or a partial write) is removed by `sweepExports` at open.
 */
export const exportRegistry = {
  async createTable(sql: Sql): Promise<void> {
    await sql.run(`CREATE TABLE IF NOT EXISTS exports (
      id VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR NOT NULL, dataset VARCHAR NOT NULL,
      rows BIGINT NOT NULL, bytes BIGINT NOT NULL, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL)`);
  },

  async insert(sql: Sql, row: Omit<ExportRow, 'expires_at'>, createdMs: number): Promise<void> {
    await sql.run(
      `INSERT INTO exports VALUES ($1, $2, $3, $4, $5, $6, epoch_ms($7::BIGINT), epoch_ms($8::BIGINT))`,
      [row.id, row.path, row.format, row.dataset, row.rows, row.bytes, createdMs, createdMs + EXPORT_TTL_MS],
    );
  },

  /** The export unless it does not exist or has expired at `nowMs`. */
  async get(sql: Sql, dataDir: string, id: string, nowMs: number): Promise<ExportInfo | null> {
    const row = await sql.one<ExportRow>(
      `SELECT id, path, format, dataset, rows, bytes, strftime(expires_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS expires_at
       FROM exports WHERE id = $1 AND expires_at > epoch_ms($2::BIGINT)`,
      [id, nowMs],
    );
    return row ? toInfo(dataDir, row) : null;
  },

  /** Ids and paths of every registered export of `dataset` (erasure invalidates raw-event exports). */
  async listOf(sql: Sql, dataset: ExportDataset): Promise<{ id: string; path: string }[]> {
    return sql.all<{ id: string; path: string }>(`SELECT id, path FROM exports WHERE dataset = $1`, [dataset]);
  },

  /** Forgets the given exports (the caller removes their files after this commits). */
  async remove(sql: Sql, ids: readonly string[]): Promise<void> {
    for (const id of ids) await sql.run(`DELETE FROM exports WHERE id = $1`, [id]);
  },

  /** Rows of exports that have expired at `nowMs`. */
  async expired(sql: Sql, nowMs: number): Promise<{ id: string; path: string }[]> {
    return sql.all<{ id: string; path: string }>(`SELECT id, path FROM exports WHERE expires_at <= epoch_ms($1::BIGINT)`, [nowMs]);
  },
};

function toInfo(dataDir: string, row: ExportRow): ExportInfo {
  return {
    id: row.id,
    format: row.format,
    dataset: row.dataset,
    rows: Number(row.rows),
    bytes: Number(row.bytes),
    expiresAt: row.expires_at,
    path: join(dataDir, row.path),
  };
}

/**
 * Removes expired exports (row, then file). Runs under the engine's write queue: the row goes
 * first, so a crash in between leaves an unregistered file that the open-time sweep removes.
 */
export async function removeExpired(sql: Sql, dataDir: string, nowMs: number): Promise<number> {
  const rows = await exportRegistry.expired(sql, nowMs);
  if (rows.length === 0) return 0;
  await exportRegistry.remove(sql, rows.map((r) => r.id));
  for (const r of rows) await rm(join(dataDir, r.path), { force: true });
  return rows.length;
}

/**
 * At open (nothing is being exported yet): removes expired exports and every file in the exports
 * folder that the registry does not list: partial writes and files whose registration a crash cut off.
 */
export async function sweepExports(sql: Sql, dataDir: string, nowMs: number): Promise<{ expired: number; orphans: number }> {
  const expired = await removeExpired(sql, dataDir, nowMs);
  const listed = new Set((await sql.all<{ path: string }>(`SELECT path FROM exports`)).map((r) => r.path));
  let orphans = 0;
  for (const name of await readdir(join(dataDir, EXPORTS_DIR)).catch(() => [] as string[])) {
    const rel = join(EXPORTS_DIR, name);
    if (listed.has(rel)) continue;
    await rm(join(dataDir, rel), { force: true, recursive: true });
    orphans++;
  }
  return { expired, orphans };
}
