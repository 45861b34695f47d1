import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Day } from '@telemetry/schema';
import type { Sql } from './duck.ts';
import type { FileLease } from '../query/context.ts';

/** One committed raw Parquet file. `path` is relative to the data directory. */
export interface RawFile {
  readonly path: string;
  readonly day: Day;
  readonly events: number;
  readonly bytes: number;
}

/**
 * The manifest: which raw Parquet files are committed, which days were dropped by retention, and
 * how far the append log has been loaded. It lives in the engine's DuckDB database so that it
 * changes in the same transaction as the aggregates. A file on disk that the manifest does not
 * list is debris from a crash and is removed at open; a file the manifest stops listing is
 * deleted once no reader holds a lease on it.
 */
export class Manifest {
  private readonly byDay = new Map<Day, RawFile[]>();
  private readonly dropped = new Map<Day, number>();
  private readonly leaseCounts = new Map<string, number>();
  private readonly doomed = new Set<string>();
  private loadedSeq = 0;

  private constructor(private readonly dataDir: string) {}

  static async createTables(sql: Sql): Promise<void> {
    await sql.run(`CREATE TABLE IF NOT EXISTS raw_files (
      path VARCHAR PRIMARY KEY, day DATE NOT NULL, events BIGINT NOT NULL, bytes BIGINT NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`);
    await sql.run(`CREATE TABLE IF NOT EXISTS dropped_days (
      day DATE PRIMARY KEY, events BIGINT NOT NULL, dropped_at TIMESTAMP NOT NULL)`);
    await sql.run(`CREATE TABLE IF NOT EXISTS engine_state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  }

  static async load(sql: Sql, dataDir: string): Promise<Manifest> {
    const m = new Manifest(dataDir);
    const files = await sql.all<{ path: string; day: string; events: number; bytes: number }>(
      `SELECT path, day::VARCHAR AS day, events, bytes FROM raw_files ORDER BY day, path`,
    );
    for (const f of files) m.addToMemory({ path: f.path, day: f.day as Day, events: f.events, bytes: f.bytes });
    for (const d of await sql.all<{ day: string; events: number }>(`SELECT day::VARCHAR AS day, events FROM dropped_days`)) {
      m.dropped.set(d.day as Day, d.events);
    }
    const s = await sql.one<{ value: string }>(`SELECT value FROM engine_state WHERE key = 'loaded_seq'`);
    m.loadedSeq = s ? Number(s.value) : 0;
    return m;
  }

  get loadedThroughSeq(): number {
    return this.loadedSeq;
  }

  days(): Day[] {
    return [...this.byDay.keys()].sort();
  }

  filesOf(day: Day): readonly RawFile[] {
    return this.byDay.get(day) ?? [];
  }

  allFiles(): RawFile[] {
    return [...this.byDay.values()].flat();
  }

  droppedDays(): Map<Day, number> {
    return this.dropped;
  }

  isDropped(day: Day): boolean {
    return this.dropped.has(day);
  }

  absolute(path: string): string {
    return join(this.dataDir, path);
  }

  // --- changes: the SQL half runs inside the caller's transaction; the memory half after COMMIT ---

  /** One statement for all files: a load lists a file per day it touches (often ~90). */
  async recordFiles(sql: Sql, files: readonly RawFile[]): Promise<void> {
    if (files.length === 0) return;
    const params: (string | number)[] = [];
    const rows = files.map((f, i) => {
      params.push(f.path, f.day, f.events, f.bytes);
      return `($${4 * i + 1}, $${4 * i + 2}::DATE, $${4 * i + 3}, $${4 * i + 4})`;
    });
    await sql.run(`INSERT INTO raw_files (path, day, events, bytes) VALUES ${rows.join(', ')}`, params);
  }

  async forgetFiles(sql: Sql, paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await sql.run(`DELETE FROM raw_files WHERE path IN (${paths.map((_, i) => `$${i + 1}`).join(', ')})`, [...paths]);
  }

  async recordLoadedSeq(sql: Sql, seq: number): Promise<void> {
    await sql.run(`INSERT OR REPLACE INTO engine_state VALUES ('loaded_seq', $1)`, [String(seq)]);
  }

  async recordDropped(sql: Sql, day: Day, events: number): Promise<void> {
    await sql.run(`INSERT OR REPLACE INTO dropped_days VALUES ($1::DATE, $2, current_timestamp)`, [day, events]);
  }

  /**
   * After COMMIT: the new files become visible, replaced ones are deleted when unleased.
   * `sameEvents`: the removed files' events are all in the added ones (compaction); otherwise the
   * days of removed files lost events (erasure, retention) and `onEventsRemoved` hears of them.
   */
  applyCommitted(change: {
    added?: readonly RawFile[];
    removed?: readonly string[];
    loadedSeq?: number;
    dropped?: ReadonlyMap<Day, number>;
    sameEvents?: boolean;
  }): void {
    for (const f of change.added ?? []) this.addToMemory(f);
    const touched = new Set<Day>();
    for (const p of change.removed ?? []) {
      const day = this.removeFromMemory(p);
      if (day) touched.add(day);
    }
    for (const d of change.dropped?.keys() ?? []) touched.add(d);
    if (touched.size > 0 && !change.sameEvents) this.onEventsRemoved([...touched]);
    if (change.loadedSeq !== undefined) this.loadedSeq = change.loadedSeq;
    for (const [d, n] of change.dropped ?? []) this.dropped.set(d, n);
  }

  private addToMemory(f: RawFile): void {
    const list = this.byDay.get(f.day);
    if (list) list.push(f);
    else this.byDay.set(f.day, [f]);
  }

  private removeFromMemory(path: string): Day | undefined {
    for (const [day, list] of this.byDay) {
      const i = list.findIndex((f) => f.path === path);
      if (i < 0) continue;
      list.splice(i, 1);
      if (list.length === 0) this.byDay.delete(day);
      this.doomed.add(path);
      if (!this.leaseCounts.get(path)) void this.deleteNow(path);
      return day;
    }
    return undefined;
  }

  /** Pins the files of [from, to] until release(); see FileLease. */
  lease(from: Day, to: Day): FileLease {
    const files: string[] = [];
    for (const [day, list] of this.byDay) {
      if (day < from || day > to) continue;
      for (const f of list) files.push(f.path);
    }
    for (const p of files) this.leaseCounts.set(p, (this.leaseCounts.get(p) ?? 0) + 1);
    let released = false;
    return {
      files: files.map((p) => this.absolute(p)),
      release: () => {
        if (released) return;
        released = true;
        for (const p of files) {
          const n = (this.leaseCounts.get(p) ?? 1) - 1;
          if (n > 0) this.leaseCounts.set(p, n);
          else {
            this.leaseCounts.delete(p);
            if (this.doomed.has(p)) void this.deleteNow(p);
          }
        }
      },
    };
  }

  private async deleteNow(path: string): Promise<void> {
    this.doomed.delete(path);
    try {
      await unlink(this.absolute(path));
    } catch (err) {
      // Unlisted already; the next open removes it for sure. Never crash the process over it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onDeleteError(path, err);
    }
  }

  /** Called after a commit that removed events from these days (erasure, retention). */
  onEventsRemoved: (days: readonly Day[]) => void = () => undefined;

  /** Called when a replaced file cannot be deleted now (the engine logs it). */
  onDeleteError: (path: string, err: unknown) => void = () => undefined;

  /** Resolves when every replaced file has been deleted (no lease holds one). */
  pendingDeletes(): number {
    return this.doomed.size;
  }
}
