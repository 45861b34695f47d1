import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface TableBytes {
  readonly name: string;
  readonly rows: number;
  /** Bytes the table takes written alone into a fresh DuckDB file (block-granular: 256 KiB steps). */
  readonly bytes: number;
}

export interface DatabaseBytes {
  /** The file as it is on disk (free blocks included). */
  readonly fileBytes: number;
  /** Blocks in use × block size (`pragma database_size`). */
  readonly usedBytes: number;
  readonly tables: readonly TableBytes[];
  /** Bytes of each group's tables written together into one fresh file. */
  readonly groups: Readonly<Record<string, number>>;
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Sizes the tables of a closed DuckDB database file. DuckDB does not report bytes per table, so
 * tables are copied into a fresh file and that file's growth over an empty one is their size:
 * DuckDB's own compression, without the free blocks that updates leave in a long-lived file.
 * `groups` names sets of tables (by a predicate) to size together, which wastes fewer partly
 * filled blocks than summing per-table sizes. The source is attached READ_ONLY; its owner must
 * have closed it.
 */
export async function duckdbTableBytes(
  dbFile: string,
  scratchDir: string,
  groups: Readonly<Record<string, (table: string) => boolean>> = {},
): Promise<DatabaseBytes> {
  await mkdir(scratchDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`ATTACH ${quoteString(dbFile)} AS src (READ_ONLY)`);
    const used = (await conn.runAndReadAll(`SELECT used_blocks * block_size AS used FROM pragma_database_size() WHERE database_name = 'src'`))
      .getRowObjectsJS()[0] as { used?: bigint | number } | undefined;
    const names = (
      await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND NOT temporary ORDER BY table_name`)
    )
      .getRowObjectsJS()
      .map((r) => String(r.table_name));
    const empty = (await copyTables(conn, scratchDir, [])).bytes;
    const tables: TableBytes[] = [];
    for (const name of names) {
      const { bytes, rows } = await copyTables(conn, scratchDir, [name]);
      tables.push({ name, rows, bytes: Math.max(0, bytes - empty) });
    }
    const groupBytes: Record<string, number> = {};
    for (const [group, member] of Object.entries(groups)) {
      groupBytes[group] = Math.max(0, (await copyTables(conn, scratchDir, names.filter(member))).bytes - empty);
    }
    return { fileBytes: (await stat(dbFile)).size, usedBytes: Number(used?.used ?? 0), tables, groups: groupBytes };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

async function copyTables(conn: DuckDBConnection, scratchDir: string, names: readonly string[]): Promise<{ bytes: number; rows: number }> {
  const file = join(scratchDir, `copy-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.duckdb`);
  await conn.run(`ATTACH ${quoteString(file)} AS dst`);
  let rows = 0;
  try {
    for (const name of names) {
      await conn.run(`CREATE TABLE dst.${quoteIdent(name)} AS SELECT * FROM src.main.${quoteIdent(name)}`);
      rows += Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM dst.${quoteIdent(name)}`)).getRowObjectsJS()[0].n);
    }
  } finally {
    await conn.run(`DETACH dst`); // checkpoints: the rows are in the file now
  }
  const bytes = (await stat(file)).size;
  await rm(file, { force: true });
  await rm(file + '.wal', { force: true });
  return { bytes, rows };
}
