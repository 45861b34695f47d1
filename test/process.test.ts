import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestClient, createTelemetryClient } from '@telemetry/api';
import { dayOf } from '@telemetry/schema';
import { spawnServer, type ChildServer } from './support/child.ts';
import { makeEvents } from './support/events.ts';
import { waitFor } from './support/server.ts';
import { startSlowPost } from './support/slow-request.ts';

describe('the server as a process (npm start)', () => {
  let dataDir: string;
  const running: ChildServer[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await spawnServer({ TELEMETRY_DATA_DIR: dataDir, ...env });
    running.push(s);
    return s;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'telemetry-proc-'));
  });
  afterAll(async () => {
    for (const s of running) {
      try {
        s.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates credentials on first start (0600, shown once), keeps them, and stops cleanly on SIGTERM', async () => {
    const first = await start();
    const file = join(dataDir, 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(file, 'utf8')) as { adminToken: string; viewerToken: string; ingestKeys: string[]; hashSecret: string };
    expect(creds.hashSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stderr()).toContain('shown once');
    expect(first.stderr()).toContain(creds.adminToken);
    expect(first.stderr()).toContain(creds.ingestKeys[0]);
    expect(first.stderr()).not.toContain(creds.hashSecret);
    const admin = createTelemetryClient(first.url, creds.adminToken);
    expect((await admin.settings()).enabled).toBe(false);
    await admin.updateSettings({ enabled: true });
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdoutLines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    // Every stdout line is a JSON log line; none carries a token.
    for (const line of first.stdoutLines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(creds.adminToken);
    }

    const second = await start();
    expect(second.stderr()).not.toContain('shown once');
    expect(second.stderr()).not.toContain(creds.adminToken);
    const again = createTelemetryClient(second.url, creds.adminToken);
    expect((await again.settings()).enabled).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(creds);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('finishes a request in flight on SIGTERM before exiting 0', async () => {
    const env = { TELEMETRY_ADMIN_TOKEN: 'proc-admin-0123456789', TELEMETRY_VIEWER_TOKEN: 'proc-viewer-0123456789', TELEMETRY_INGEST_KEYS: 'proc-ingest-a, proc-ingest-b' };
    const s = await start(env);
    const body = JSON.stringify(makeEvents(0, 50, { startMs: Date.now() - 60_000, spreadMs: 30_000, idPrefix: 'term-' }));
    const slow = await startSlowPost(`${s.url}/v1/events`, { authorization: 'Bearer proc-ingest-b', 'content-type': 'application/json' }, body);
    s.kill('SIGTERM');
    // The server logs `shutting down` and then waits for the request in flight.
    await waitFor(async () => s.stdoutLines.some((l) => l.includes('"msg":"shutting down"')), 15_000, 'shutdown to begin');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.child.exitCode).toBe(null); // still waiting for the request
    expect(() => process.kill(s.serverPid, 0)).not.toThrow();
    const answer = await slow.finish();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ accepted: 50 });
    expect(await s.exited).toBe(0);

    const after = await start(env);
    const storage = await createTelemetryClient(after.url, env.TELEMETRY_VIEWER_TOKEN).storage();
    expect(storage.totalEvents).toBe(50);
    after.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  });

  it('keeps every acknowledged event across SIGKILL between batches', async () => {
    const env = { TELEMETRY_ADMIN_TOKEN: 'proc-admin-0123456789', TELEMETRY_VIEWER_TOKEN: 'proc-viewer-0123456789', TELEMETRY_INGEST_KEYS: 'proc-ingest-a,proc-ingest-b' };
    const startMs = Date.now() - 10 * 60_000;
    let next = 1000;
    let acknowledged = -1;
    let acknowledgedCrashes = 0;
    const users = new Set<string>();
    for (let round = 0; round < 2; round++) {
      const s = await start(env);
      if (acknowledged < 0) acknowledged = (await createTelemetryClient(s.url, env.TELEMETRY_VIEWER_TOKEN).storage()).totalEvents;
      const sender = createIngestClient(s.url, 'proc-ingest-a');
      for (let batch = 0; batch < 4; batch++) {
        const events = makeEvents(next, 500, { startMs, spreadMs: 5 * 60_000, crashEvery: 10, users: 40, idPrefix: 'kill-' });
        next += 500;
        const answer = await sender.send(events, { gzip: batch % 2 === 1 });
        expect(answer).toMatchObject({ ok: true, result: { accepted: 500 } });
        acknowledged += 500;
        acknowledgedCrashes += events.filter((e) => e.type === 'crash').length;
        for (const e of events) users.add(e.userId as string);
      }
      // Killed right after the last answer: no chance to flush, load or close anything.
      s.kill('SIGKILL');
      expect(await s.exited).not.toBe(0);
    }
    const s = await start(env);
    const viewer = createTelemetryClient(s.url, env.TELEMETRY_VIEWER_TOKEN);
    expect((await viewer.storage()).totalEvents).toBe(acknowledged);
    const range = { from: dayOf(startMs - 60_000), to: dayOf(Date.now()) };
    const crashes = await viewer.crashRate({ range, precision: 'EXACT' });
    expect(crashes.reduce((a, p) => a + p.crashes, 0)).toBe(acknowledgedCrashes);
    const approx = await viewer.crashRate({ range });
    expect(approx.reduce((a, p) => a + p.crashes, 0)).toBe(acknowledgedCrashes);
    // The 40 users of these batches include the 20 of the earlier test's events.
    const active = await viewer.activeUsers({ range, precision: 'EXACT' });
    expect(Math.max(...active.map((p) => p.mau))).toBe(users.size);
    s.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
