import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Day } from '@telemetry/schema';
import { TelemetryEngine } from './telemetry-engine.ts';
import { event, manualClock, tempDataDir } from './testing/fixtures.ts';

const range = (from: string, to: string) => ({ from: from as Day, to: to as Day });

describe('TelemetryEngine write path', () => {
  let tmp: Awaited<ReturnType<typeof tempDataDir>>;
  const clock = manualClock('2026-11-25T12:00:00Z');
  let engine: TelemetryEngine;

  beforeEach(async () => {
    tmp = await tempDataDir();
    clock.set('2026-11-25T12:00:00Z');
    engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false });
  });
  afterEach(async () => {
    await engine.close();
    await tmp.remove();
  });

  async function countStored(): Promise<number> {
    return (await engine.storageStatus()).totalEvents;
  }

  it('stores nothing while telemetry is off (the default) and says so', async () => {
    expect(engine.getSettings()).toMatchObject({ enabled: false, storageDurationDays: 90, updatedAt: null });
    const result = await engine.ingest([event()]);
    expect(result).toEqual({ telemetryEnabled: false, accepted: 0, rejected: [], droppedFields: 0, duplicate: false });
    await engine.flush();
    expect(await countStored()).toBe(0);
  });

  it('keeps the valid events of a batch and names index, field and rule for the others', async () => {
    await engine.updateSettings({ enabled: true });
    const result = await engine.ingest([
      event({ eventId: 'a' }),
      event({ eventId: 'b', productId: 'bad product!' }),
      event({ eventId: 'c', type: 'bogus' }),
      event({ eventId: 'a' }),
      event({ eventId: 'd', ip: '10.1.2.3', extra: 1 }),
      { eventId: 'e' },
    ]);
    expect(result.accepted).toBe(2);
    expect(result.droppedFields).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_field'],
      [2, 'unknown_type'],
      [3, 'duplicate_in_batch'],
      [5, 'missing_field'],
    ]);
    expect(result.rejected[0].message).toMatch(/productId/);
    await engine.flush();
    expect(await countStored()).toBe(2);
  });

  it('rejects timestamps older than the storage duration or more than 24 h ahead', async () => {
    await engine.updateSettings({ enabled: true, storageDurationDays: 7 });
    const result = await engine.ingest([
      event({ eventId: 'old', timestamp: '2026-11-17T23:59:59Z' }),
      event({ eventId: 'oldest-kept', timestamp: '2026-11-18T00:00:00Z' }),
      event({ eventId: 'future', timestamp: '2026-11-26T12:00:01Z' }),
      event({ eventId: 'near-future', timestamp: '2026-11-26T11:59:00Z' }),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.code)).toEqual(['timestamp_too_old', 'timestamp_in_future']);
  });

  it('shifts a batch by the client clock skew when sentAt is off by more than 60 s', async () => {
    await engine.updateSettings({ enabled: true });
    // The device clock runs 3 days behind: its 2026-11-22 is our 2026-11-25.
    await engine.ingest([event({ eventId: 'skewed', timestamp: '2026-11-22T11:00:00Z' })], { sentAt: '2026-11-22T12:00:00Z' });
    await engine.ingest([event({ eventId: 'fine', timestamp: '2026-11-25T11:00:00Z' })], { sentAt: '2026-11-25T12:00:30Z' });
    const rows = [];
    for await (const r of engine.scan({ range: range('2026-11-01', '2026-11-30') })) rows.push(r);
    expect(rows.map((r) => [r.eventId, r.timestamp])).toEqual([
      ['fine', '2026-11-25T11:00:00.000Z'],
      ['skewed', '2026-11-25T11:00:00.000Z'],
    ]);
  });

  it('stores and counts the same (productId, eventId) once, across batches and restarts', async () => {
    await engine.updateSettings({ enabled: true });
    const batch = [event({ eventId: 'x1' }), event({ eventId: 'x2' }), event({ eventId: 'x1', productId: 'other.app' })];
    await engine.ingest(batch);
    await engine.ingest(batch); // re-sent before the first was loaded
    await engine.flush();
    await engine.ingest(batch); // re-sent after
    await engine.flush();
    expect(await countStored()).toBe(3);
    await engine.close();
    engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false });
    await engine.ingest(batch);
    await engine.flush();
    expect(await countStored()).toBe(3);
  });

  it('answers a repeated idempotency key as the first time, stores nothing new, also after a restart', async () => {
    await engine.updateSettings({ enabled: true });
    const first = await engine.ingest([event({ eventId: 'k1' }), event({ eventId: 'k2', type: 'nope' })], { idempotencyKey: 'batch-1' });
    const again = await engine.ingest([event({ eventId: 'k3' })], { idempotencyKey: 'batch-1' });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });
    await engine.close();
    engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false });
    expect((await engine.ingest([event({ eventId: 'k4' })], { idempotencyKey: 'batch-1' })).duplicate).toBe(true);
    clock.advanceDays(8);
    expect((await engine.ingest([event({ eventId: 'k5', timestamp: new Date(clock.now()).toISOString() })], { idempotencyKey: 'batch-1' })).duplicate).toBe(false);
    await engine.flush();
    expect(await countStored()).toBe(2);
  });

  it('keeps settings and their history (when, old, new, role) across restarts', async () => {
    await engine.updateSettings({ enabled: true }, 'admin');
    clock.advanceDays(1);
    await engine.updateSettings({ storageDurationDays: 30 }, 'admin');
    await expect(engine.updateSettings({ storageDurationDays: 731 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'storageDurationDays' });
    await expect(engine.updateSettings({ storageDurationDays: 0 })).rejects.toThrow(/1 to 730/);
    await engine.close();
    engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false });
    expect(engine.getSettings()).toEqual({ enabled: true, storageDurationDays: 30, updatedAt: '2026-11-26T12:00:00.000Z' });
    const history = engine.settingsHistory();
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({ role: 'admin', old: { storageDurationDays: 90 }, new: { storageDurationDays: 30 } });
    const audit = await engine.auditLog({ kinds: ['settings_changed'] });
    expect(audit).toHaveLength(2);
  });

  it('reports storage per partition and scans by range, segment and subject', async () => {
    await engine.updateSettings({ enabled: true });
    await engine.ingest([
      event({ eventId: '1', timestamp: '2026-11-23T23:30:00-02:00', os: 'linux', userId: 'alice' }),
      event({ eventId: '2', timestamp: '2026-11-24T00:30:00Z', os: 'windows', userId: 'bob' }),
      event({ eventId: '3', timestamp: '2026-11-25T08:00:00Z', os: 'linux', userId: 'alice', licenseId: 'L-1' }),
    ]);
    await engine.flush();
    const status = await engine.storageStatus();
    expect(status.partitions.map((p) => [p.day, p.events, p.files, p.aggregated])).toEqual([
      ['2026-11-24', 2, 1, true],
      ['2026-11-25', 1, 1, true],
    ]);
    expect(status).toMatchObject({ totalEvents: 3, oldestDay: '2026-11-24', newestDay: '2026-11-25' });
    expect(status.totalBytes).toBeGreaterThan(0);
    const ids = async (q: Parameters<TelemetryEngine['scan']>[0]) => {
      const out: string[] = [];
      for await (const r of engine.scan(q)) out.push(r.eventId);
      return out;
    };
    expect(await ids({ range: range('2026-11-24', '2026-11-24') })).toEqual(['2', '1']);
    expect(await ids({ range: range('2026-11-01', '2026-11-30'), filter: { os: ['linux'] } })).toEqual(['1', '3']);
    expect(await ids({ range: range('2026-11-01', '2026-11-30'), subject: { userId: 'alice' } })).toEqual(['1', '3']);
    expect(await ids({ range: range('2026-11-01', '2026-11-30'), subject: { licenseId: 'L-1' } })).toEqual(['3']);
  });

  it('keeps strings with commas, quotes, newlines and non-ASCII intact through the log', async () => {
    await engine.updateSettings({ enabled: true });
    const name = 'Save "as", then\nexport; naïve 東京 ✓';
    const properties = { note: 'a,b "c"\r\nd', n: 1.5, ok: true };
    await engine.ingest([event({ eventId: 'q,"1"', type: 'feature_used', name, properties, sessionId: 's,1' })]);
    const rows = [];
    for await (const r of engine.scan({ range: range('2026-11-25', '2026-11-25') })) rows.push(r);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventId: 'q,"1"', name, properties, sessionId: 's,1' });
  });

  it('refuses a second engine on the same data directory, in this process and in another', async () => {
    await expect(TelemetryEngine.open({ dataDir: tmp.dir })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    const script = `import { TelemetryEngine } from '@telemetry/engine';
      try { await TelemetryEngine.open({ dataDir: ${JSON.stringify(tmp.dir)} }); console.log('OPENED'); }
      catch (e) { console.log(e.code); }`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('exit', () => resolve(text.trim()));
    });
    expect(out).toBe('DATA_DIR_LOCKED');
  });
});
