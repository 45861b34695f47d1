import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDashboardBuilt } from '@telemetry/dashboard';
import { makeEvents } from './support/events.ts';
import { startTestServer, TOKENS, type TestServer } from './support/server.ts';

const NOW = Date.parse('2024-06-10T12:00:00Z');
type Who = 'none' | 'wrong' | 'viewer' | 'admin' | 'ingest';
const WHO: readonly Who[] = ['none', 'wrong', 'viewer', 'admin', 'ingest'];

function authHeader(who: Who): Record<string, string> {
  switch (who) {
    case 'none':
      return {};
    case 'wrong':
      return { authorization: 'Bearer not-a-token' };
    case 'viewer':
      return { authorization: `Bearer ${TOKENS.viewer}` };
    case 'admin':
      return { authorization: `Bearer ${TOKENS.admin}` };
    case 'ingest':
      return { authorization: `Bearer ${TOKENS.ingest[1]}` };
  }
}

describe('the auth matrix: none, wrong, viewer, admin and ingest key on every route', () => {
  let t: TestServer;
  let exportUrl: string;

  beforeAll(async () => {
    t = await startTestServer({ clock: () => NOW });
    await t.admin.updateSettings({ enabled: true });
    await t.ingest.send(makeEvents(0, 20, { startMs: NOW - 3_600_000 }));
    await t.server.engine.flush();
    const created = await t.admin.createExport({ dataset: 'EVENTS', format: 'NDJSON', range: { from: '2024-06-10', to: '2024-06-10' } });
    exportUrl = created.url;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const graphql = (who: Who, query: string) =>
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(who) }, body: JSON.stringify({ query }) });

  it('POST /graphql query: 401 UNAUTHENTICATED unless admin or viewer', async () => {
    const expected: Record<Who, number> = { none: 401, wrong: 401, viewer: 200, admin: 200, ingest: 401 };
    for (const who of WHO) {
      const res = await graphql(who, '{ settings { enabled } }');
      expect(res.status, who).toBe(expected[who]);
      const body = (await res.json()) as any;
      if (expected[who] === 401) {
        expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      } else {
        expect(body).toEqual({ data: { settings: { enabled: true } } });
      }
    }
  });

  it('POST /graphql mutation: only admin; a viewer gets 403 FORBIDDEN and nothing changes', async () => {
    const mutation = 'mutation { updateSettings(input: { storageDurationDays: 30 }) { storageDurationDays } }';
    const expected: Record<Who, number> = { none: 401, wrong: 401, viewer: 403, admin: 200, ingest: 401 };
    for (const who of WHO) {
      if (who === 'admin') continue;
      const res = await graphql(who, mutation);
      expect(res.status, who).toBe(expected[who]);
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code).toBe(who === 'viewer' ? 'FORBIDDEN' : 'UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    }
    expect((await t.admin.settings()).storageDurationDays).toBe(90);
    for (const m of ['mutation { runRetention { asOf } }', 'mutation { deleteSubject(userId: "user-1") { eventsDeleted } }']) {
      const res = await graphql('viewer', m);
      expect(res.status).toBe(403);
    }
    expect((await t.admin.storage()).totalEvents).toBe(20);
    const res = await graphql('admin', mutation);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.updateSettings.storageDurationDays).toBe(30);
    // Through the typed client: the error class carries code and status.
    await expect(t.viewer.updateSettings({ enabled: false })).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('POST /v1/events: 401 unless an ingest key (any of them)', async () => {
    const body = JSON.stringify(makeEvents(100, 1, { startMs: NOW - 3_600_000 }));
    for (const who of WHO) {
      const res = await fetch(`${t.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(who) }, body });
      expect(res.status, who).toBe(who === 'ingest' ? 200 : 401);
      const json = (await res.json()) as any;
      if (who !== 'ingest') expect(json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    const first = await fetch(`${t.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.ingest[0]}` }, body });
    expect(first.status).toBe(200);
    for (const header of [`Basic ${TOKENS.ingest[0]}`, TOKENS.ingest[0], `Bearer ${TOKENS.ingest[0]}x`, `Bearer ${TOKENS.ingest[0].slice(0, -1)}`]) {
      const res = await fetch(`${t.url}/v1/events`, { method: 'POST', headers: { authorization: header }, body });
      expect(res.status, header).toBe(401);
    }
  });

  it('GET /exports/:id: admin or viewer; 401 otherwise; 404 for an unknown id', async () => {
    for (const who of WHO) {
      const res = await fetch(`${t.url}${exportUrl}`, { headers: authHeader(who) });
      expect(res.status, who).toBe(who === 'admin' || who === 'viewer' ? 200 : 401);
      await res.arrayBuffer();
    }
    const unknown = await fetch(`${t.url}/exports/does-not-exist`, { headers: authHeader('viewer') });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const unauthUnknown = await fetch(`${t.url}/exports/does-not-exist`);
    expect(unauthUnknown.status).toBe(401);
  });

  it('GET /healthz and the dashboard page need no token', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    if (isDashboardBuilt()) {
      const page = await fetch(`${t.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
    const unknown = await fetch(`${t.url}/no-such-route`);
    expect(unknown.status).toBe(404);
  });
});
