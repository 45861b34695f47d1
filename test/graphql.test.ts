import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryApiError, type TelemetryClient } from '@telemetry/api';
import { makeEvents } from './support/events.ts';
import { startTestServer, TestClock, TOKENS, type TestServer } from './support/server.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2024-06-10T12:00:00Z');
const RANGE = { from: '2024-06-01', to: '2024-06-10' };

/** The TelemetryApiError a call fails with. */
async function failure(call: Promise<unknown>): Promise<TelemetryApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TelemetryApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function rawGraphql(t: TestServer, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/graphql`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('GraphQL API over a real engine', () => {
  let t: TestServer;
  let admin: TelemetryClient;
  let viewer: TelemetryClient;
  const clock = new TestClock(NOW);

  beforeAll(async () => {
    t = await startTestServer({ clock: clock.now, engineOptions: { loadIntervalMs: 200 } });
    admin = t.admin;
    viewer = t.viewer;
    await admin.updateSettings({ enabled: true });
    // Ten days of events: 20 users, crashes every 7th event, on 2024-06-01..10.
    for (let d = 0; d < 10; d++) {
      const answer = await t.ingest.send(makeEvents(d * 300, 300, { startMs: Date.parse('2024-06-01T00:00:00Z') + d * DAY, spreadMs: 10 * 3_600_000, crashEvery: 7 }));
      expect(answer).toMatchObject({ ok: true, result: { accepted: 300 } });
    }
    await t.server.engine.flush();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('settings, updateSettings, settingsHistory and pendingDeletion', async () => {
    const before = await viewer.settings();
    expect(before).toMatchObject({ enabled: true, storageDurationDays: 90, pendingDeletion: { days: 0, events: 0, oldestKeptDay: '2024-03-12' } });
    expect(before.updatedAt).toEqual(expect.any(String));
    const updated = await admin.updateSettings({ storageDurationDays: 5 });
    expect(updated).toMatchObject({ enabled: true, storageDurationDays: 5 });
    // Days before 2024-06-05 would go with a 5-day duration.
    expect(updated.pendingDeletion).toEqual({ days: 4, events: 1200, oldestKeptDay: '2024-06-05' });
    const restored = await admin.updateSettings({ storageDurationDays: 90 });
    expect(restored.pendingDeletion.days).toBe(0);
    const history = await viewer.settingsHistory();
    expect(history[0]).toMatchObject({ role: 'ADMIN', old: { storageDurationDays: 5 }, new: { storageDurationDays: 90 } });
    expect(history.length).toBe(3);
    expect((await viewer.settingsHistory(1)).length).toBe(1);
  });

  it('storage and storageEstimate', async () => {
    const storage = await viewer.storage();
    expect(storage).toMatchObject({ totalEvents: 3000, oldestDay: '2024-06-01', newestDay: '2024-06-10' });
    expect(storage.totalBytes).toBeGreaterThan(0);
    expect(storage.partitions).toHaveLength(10);
    expect(storage.partitions[0]).toMatchObject({ day: '2024-06-01', events: 300, aggregated: true });
    const estimate = await viewer.storageEstimate(3);
    expect(estimate).toMatchObject({ storageDurationDays: 3, oldestKeptDay: '2024-06-07', deletedDays: 6, deletedEvents: 1800, keptEvents: 1200 });
  });

  it('activeUsers, approximate and exact, with filter and breakdown', async () => {
    const approx = await viewer.activeUsers({ range: RANGE });
    expect(approx).toHaveLength(10);
    expect(approx[9]).toMatchObject({ day: '2024-06-10', segment: null, dau: 20, wau: 20, mau: 20, stickiness: 1 });
    const exact = await viewer.activeUsers({ range: RANGE, precision: 'EXACT' });
    expect(exact.map((p) => p.dau)).toEqual(approx.map((p) => p.dau));
    const byOs = await viewer.activeUsers({ range: { from: '2024-06-10', to: '2024-06-10' }, breakdownBy: 'OS', precision: 'EXACT' });
    expect(Object.fromEntries(byOs.map((p) => [p.segment, p.dau]))).toEqual({ windows: 7, macos: 7, linux: 6 });
    const filtered = await viewer.activeUsers({ range: { from: '2024-06-10', to: '2024-06-10' }, filter: { os: ['linux'], countries: [] } });
    expect(filtered[0].dau).toBe(6);
  });

  it('featureAdoption, latency, crashRate and retentionCohorts', async () => {
    const adoption = await viewer.featureAdoption({ range: RANGE, features: ['sync'] });
    expect(adoption).toHaveLength(1);
    expect(adoption[0]).toMatchObject({ feature: 'sync', activeUsers: 20, firstSeen: '2024-06-01' });
    expect(adoption[0].uses).toBeGreaterThan(0);
    const latency = await viewer.latency({ range: RANGE, metric: 'startup', granularity: 'WEEK' });
    expect(latency.length).toBeGreaterThan(0);
    expect(latency[0].p50).toBeGreaterThanOrEqual(100);
    expect(latency.reduce((a, p) => a + p.count, 0)).toBe(1000 - 143 + 0); // every 3rd event minus the crashes among them
    const crashes = await viewer.crashRate({ range: RANGE, precision: 'EXACT' });
    expect(crashes.reduce((a, p) => a + p.crashes, 0)).toBe(429); // events 0, 7, ..., 2996
    const approxCrashes = await viewer.crashRate({ range: RANGE, granularity: 'MONTH', breakdownBy: 'COUNTRY' });
    expect(approxCrashes.reduce((a, p) => a + p.crashes, 0)).toBe(429);
    const cohorts = await viewer.retentionCohorts({ range: RANGE, granularity: 'DAY', periods: 3 });
    expect(cohorts[0]).toMatchObject({ cohort: '2024-06-01', size: 20, retained: [20, 20, 20], rates: [1, 1, 1] });
  });

  it('deleteSubject erases one user', async () => {
    const report = await admin.deleteSubject({ userId: 'user-3' });
    expect(report.eventsDeleted).toBe(150);
    expect(report.partitionsRewritten).toBe(10);
    await t.server.engine.flush();
    expect((await viewer.storage()).totalEvents).toBe(2850);
    expect((await admin.deleteSubject({ licenseId: 'no-such-license' })).eventsDeleted).toBe(0);
    const audit = await viewer.auditLog({ kinds: ['SUBJECT_ERASED'] });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ kind: 'SUBJECT_ERASED', role: 'ADMIN' });
    expect(JSON.stringify(audit)).not.toContain('user-3');
  });

  it('BAD_USER_INPUT names the field and the rule', async () => {
    const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => admin.updateSettings({ storageDurationDays: 0 }), 'storageDurationDays', /1 to 730/],
      [() => admin.updateSettings({ storageDurationDays: 731 }), 'storageDurationDays', /1 to 730/],
      [() => viewer.storageEstimate(0), 'storageDurationDays', /1 to 730/],
      [() => viewer.activeUsers({ range: { from: '2024-06-10', to: '2024-06-01' } }), 'range.from', /on or before range.to/],
      [() => viewer.activeUsers({ range: { from: '2022-01-01', to: '2024-01-02' } }), 'range', /at most 731 days; got 732/],
      [() => admin.deleteSubject({} as never), 'userId', /exactly one argument/],
      [() => admin.deleteSubject({ userId: 'a', licenseId: 'b' } as never), 'userId', /exactly one argument/],
      [() => viewer.retentionCohorts({ range: RANGE, periods: 0 }), 'periods', /from 1 to/],
      [() => viewer.latency({ range: RANGE, metric: '' }), 'metric', /1\.\.128/],
    ];
    for (const [call, field, rule] of cases) {
      const err = await failure(call());
      expect(err.code, `${err.message} ${String(field)}`).toBe("BAD_USER_INPUT");
      expect(err.field).toBe(field);
      expect(err.message).toMatch(rule);
      expect(err.status).toBe(200);
      expect(JSON.stringify(err.errors)).not.toMatch(/stacktrace|\.ts:\d+/);
    }
    // Scalar and enum coercion: the variable path and the rule.
    const badDate = await failure(viewer.activeUsers({ range: { from: '2024-02-30', to: '2024-03-01' } }));
    expect(badDate.code).toBe('BAD_USER_INPUT');
    expect(badDate.message).toMatch(/range.*from.*real calendar day/s);
    const badEnum = await failure(viewer.activeUsers({ range: RANGE, precision: 'ROUGH' as never }));
    expect(badEnum.code).toBe('BAD_USER_INPUT');
    // Nothing was changed by the refused updates.
    expect((await viewer.settings()).storageDurationDays).toBe(90);
  });

  it('RAW_DATA_EXPIRED for EXACT over dropped days; APPROXIMATE answers as before', async () => {
    const week = { from: '2024-06-01', to: '2024-06-03' };
    const before = await viewer.activeUsers({ range: week });
    await admin.updateSettings({ storageDurationDays: 7 });
    // Two days on: 2024-06-01..04 are now older than today - 7 and expire.
    clock.advance(2 * DAY);
    const report = await admin.runRetention();
    expect(report).toMatchObject({ asOf: '2024-06-12', keptFrom: '2024-06-05', droppedDays: ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'] });
    expect(report.droppedEvents).toBe(4 * 285);
    const err = await failure(viewer.activeUsers({ range: week, precision: 'EXACT' }));
    expect(err.code).toBe('RAW_DATA_EXPIRED');
    expect(err.message).toMatch(/APPROXIMATE/);
    expect((await failure(viewer.crashRate({ range: week, precision: 'EXACT' }))).code).toBe('RAW_DATA_EXPIRED');
    expect(await viewer.activeUsers({ range: week })).toEqual(before);
    const storage = await viewer.storage();
    expect(storage.oldestDay).toBe('2024-06-05');
    expect(storage.aggregatedFrom).toBe('2024-06-01');
    const runs = await viewer.auditLog({ kinds: ['RETENTION_RUN'], limit: 5 });
    expect(runs[0]).toMatchObject({ kind: 'RETENTION_RUN', role: 'ADMIN' });
  });

  it('refuses operations that are too deep, too aliased or too complex', async () => {
    const aliases = Array.from({ length: 21 }, (_, i) => `a${i}: settings { enabled }`).join(' ');
    const aliased = await rawGraphql(t, { query: `{ ${aliases} }` });
    expect(aliased.status).toBe(400);
    expect(aliased.json.errors[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(aliased.json.errors[0].message).toMatch(/21 aliases; the maximum is 20/);
    const exact = Array.from({ length: 10 }, (_, i) => `q${i}: activeUsers(range: {from: "2024-06-05", to: "2024-06-10"}, precision: EXACT, breakdownBy: OS) { dau }`).join(' ');
    const complex = await rawGraphql(t, { query: `{ ${exact} }` });
    expect(complex.status).toBe(400);
    expect(complex.json.errors[0].message).toMatch(/complexity \d+ exceeds the maximum 1000/);
    // Introspection works for a signed-in caller, but not arbitrarily deep.
    const introspection = await rawGraphql(t, { query: getIntrospectionQuery() }, { authorization: `Bearer ${TOKENS.viewer}` });
    expect(introspection.status).toBe(200);
    expect(introspection.json.data.__schema.queryType.name).toBe('Query');
    const deep = `{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } } } } } }`;
    const tooDeep = await rawGraphql(t, { query: deep });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.errors[0].message).toMatch(/introspection depth/);
  });

  it('keeps CSRF prevention on and batching off, and never sends a stack trace', async () => {
    const simple = await rawGraphql(t, JSON.stringify({ query: '{ settings { enabled } }' }), { 'content-type': 'text/plain' });
    expect(simple.status).toBe(400);
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ settings { enabled } }')}`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(get.status).toBe(400);
    const getOk = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ settings { enabled } }')}`, {
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'apollo-require-preflight': 'true' },
    });
    expect(getOk.status).toBe(200);
    const batch = await rawGraphql(t, [{ query: '{ settings { enabled } }' }, { query: '{ storage { totalEvents } }' }]);
    expect(batch.status).toBe(400);
    const malformed = await rawGraphql(t, '{"query": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const syntax = await rawGraphql(t, { query: '{ settings { ' });
    expect(syntax.json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await rawGraphql(t, { query: '{ nope }' });
    expect(unknown.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    for (const r of [simple, batch, malformed, syntax, unknown]) expect(JSON.stringify(r.json)).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
  });

  it('logs the operation name of each GraphQL request', async () => {
    await viewer.storage();
    const line = t.logLines.filter((l) => l.msg === 'request' && l.path === '/graphql').at(-1);
    expect(line).toMatchObject({ method: 'POST', status: 200, operation: 'Storage' });
  });
});
