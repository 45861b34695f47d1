import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

/** Converts DuckDB's JS values to plain ones: safe bigints become numbers, so callers see `number`. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/**
 * One DuckDB connection with the few calls the engine needs. SQL is always a template with bound
 * parameters ($1 or $name); identifiers that cannot be bound come from closed enums in the caller.
 */
export class Sql {
  constructor(readonly connection: DuckDBConnection) {}

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as objects; BIGINT/HUGEINT counts come back as numbers when they fit. Cast DATEs to VARCHAR in SQL. */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    const rows = reader.getRowObjectsJS();
    for (const row of rows) for (const k in row) row[k] = plain(row[k]) as never;
    return rows as T[];
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.run('COMMIT');
      return out;
    } catch (err) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

/**
 * A small pool of connections for read queries: one DuckDB connection runs one statement at a
 * time, and dashboards send queries concurrently.
 */
export class SqlPool {
  private readonly idle: Sql[] = [];
  private readonly waiters: ((s: Sql) => void)[] = [];
  private readonly all: Sql[] = [];

  private constructor(private readonly instance: DuckDBInstance, private readonly max: number) {}

  static async create(instance: DuckDBInstance, size: number): Promise<SqlPool> {
    const pool = new SqlPool(instance, size);
    return pool;
  }

  async use<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const sql = await this.acquire();
    try {
      return await fn(sql);
    } finally {
      this.release(sql);
    }
  }

  /** Takes a connection for longer work (a stream); give it back with release(). Prefer use(). */
  async acquire(): Promise<Sql> {
    const s = this.idle.pop();
    if (s) return s;
    if (this.all.length < this.max) {
      const created = new Sql(await this.instance.connect());
      this.all.push(created);
      return created;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(sql: Sql): void {
    const w = this.waiters.shift();
    if (w) w(sql);
    else this.idle.push(sql);
  }

  close(): void {
    for (const s of this.all) s.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}

/** Quotes a string literal for the rare places DuckDB cannot bind a parameter (COPY targets, file lists). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A SQL list literal of file paths, for read_parquet([...]) (table functions cannot take bound lists here). */
export function sqlFileList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}
