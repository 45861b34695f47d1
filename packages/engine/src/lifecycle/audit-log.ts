import type { ActorRole } from '@telemetry/schema';
import type { AuditEntry, AuditKind } from '../engine.ts';
import type { Sql } from '../storage/duck.ts';

/**
 * The audit log: settings changes, retention runs, erasures, exports, rebuilds — when, by which
 * role, and the facts of it (counts, days, duration). Never a subject's id, raw or hashed.
 */
export const AUDIT_KINDS: readonly AuditKind[] = [
  'settings_changed',
  'retention_run',
  'subject_erased',
  'export_created',
  'aggregates_rebuilt',
];

export const auditLog = {
  async createTable(sql: Sql): Promise<void> {
    await sql.run(`CREATE TABLE IF NOT EXISTS audit_log (
      "at" TIMESTAMP NOT NULL, kind VARCHAR NOT NULL, role VARCHAR NOT NULL, details VARCHAR NOT NULL)`);
  },

  async append(sql: Sql, nowMs: number, kind: AuditKind, role: ActorRole, details: Record<string, unknown>): Promise<void> {
    await sql.run(`INSERT INTO audit_log VALUES (epoch_ms($1::BIGINT), $2, $3, $4)`, [nowMs, kind, role, JSON.stringify(details)]);
  },

  async list(sql: Sql, options: { limit?: number; kinds?: readonly AuditKind[] } = {}): Promise<AuditEntry[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 10_000));
    // Kinds come from a closed enum, checked here, so they may be spliced as literals.
    const kinds = (options.kinds ?? []).filter((k) => AUDIT_KINDS.includes(k));
    const where = kinds.length > 0 ? `WHERE kind IN (${kinds.map((k) => `'${k}'`).join(', ')})` : '';
    const rows = await sql.all<{ at: string; kind: AuditKind; role: ActorRole; details: string }>(
      `SELECT strftime("at", '%Y-%m-%dT%H:%M:%S.%gZ') AS "at", kind, role, details FROM audit_log ${where}
       ORDER BY "at" DESC, rowid DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ at: r.at, kind: r.kind, role: r.role, details: JSON.parse(r.details) as Record<string, unknown> }));
  },
};
