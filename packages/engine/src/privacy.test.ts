import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { TelemetryEngine } from './telemetry-engine.ts';
import { event, manualClock, tempDataDir } from './testing/fixtures.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

const SECRETS = [
  'alice.smith@example.com',
  'raw-user-id-7f3a',
  'LICENSE-SECRET-991',
  '192.168.77.12',
  '2001:db8:85a3::8a2e:370:7334',
  'C:\\Users\\alice\\Documents\\plan.docx',
  '/home/bob/secret/report.pdf',
  '/Users/carol/Desktop',
];

describe('privacy', () => {
  it('never writes a raw id, e-mail, IP address or path to a Parquet file', async () => {
    const tmp = await tempDataDir();
    const clock = manualClock('2026-11-25T12:00:00Z');
    const engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false });
    try {
      await engine.updateSettings({ enabled: true });
      const result = await engine.ingest([
        event({
          eventId: 'p1',
          type: 'error',
          userId: 'raw-user-id-7f3a',
          licenseId: 'LICENSE-SECRET-991',
          name: 'FileNotFound at C:\\Users\\alice\\Documents\\plan.docx for alice.smith@example.com',
          ip: '192.168.77.12',
          properties: {
            path: '/home/bob/secret/report.pdf',
            peer: '2001:db8:85a3::8a2e:370:7334',
            note: 'from 192.168.77.12 by alice.smith@example.com in /Users/carol/Desktop',
            count: 3,
          },
        }),
      ]);
      expect(result.accepted).toBe(1);
      expect(result.droppedFields).toBe(1);
      await engine.flush();
      const parquet = (await filesUnder(join(tmp.dir, 'events'))).filter((f) => f.endsWith('.parquet'));
      expect(parquet.length).toBeGreaterThan(0);
      // Byte-level: zstd could hide a string, so read the values back with DuckDB as well.
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const rows = (
        await conn.runAndReadAll(`SELECT * FROM read_parquet([${parquet.map((f) => `'${f}'`).join(',')}])`)
      ).getRowObjectsJson();
      conn.closeSync();
      const text = JSON.stringify(rows);
      for (const s of SECRETS) expect(text).not.toContain(s);
      expect(text).toContain('[redacted]');
      const stored = rows[0] as Record<string, unknown>;
      expect(stored.user_hash).toMatch(/^\d+$/);
      expect(stored.license_hash).toMatch(/^\d+$/);
      expect(Object.keys(stored)).not.toContain('ip');
      // And no file anywhere in the data directory holds a raw id or address in plain bytes.
      for (const f of await filesUnder(tmp.dir)) {
        const bytes = await readFile(f);
        for (const s of SECRETS) expect(bytes.includes(Buffer.from(s)), `${s} in ${f}`).toBe(false);
      }
    } finally {
      await engine.close();
      await tmp.remove();
    }
  });

  it('uses keyed hashes: the same id gets the same pseudonym, another secret another one', async () => {
    const pseudonymOf = async (secret: string) => {
      const tmp = await tempDataDir();
      const engine = await TelemetryEngine.open({ dataDir: tmp.dir, hashSecret: secret, background: false, clock: () => Date.parse('2026-11-25T12:00:00Z') });
      await engine.updateSettings({ enabled: true });
      await engine.ingest([event({ eventId: 'a', userId: 'same-user' }), event({ eventId: 'b', userId: 'same-user' })]);
      const hashes = new Set<string>();
      for await (const r of engine.scan({ range: { from: '2026-11-25', to: '2026-11-25' } as never })) hashes.add(r.userHash);
      await engine.close();
      await tmp.remove();
      return [...hashes];
    };
    const a = await pseudonymOf('secret-one');
    const b = await pseudonymOf('secret-two');
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]).not.toBe(b[0]);
  });
});
