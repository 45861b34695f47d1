import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvents } from './support/events.ts';
import { startTestServer, TestClock, TOKENS, type TestServer } from './support/server.ts';
import { startSlowPost } from './support/slow-request.ts';

const NOW = Date.parse('2024-06-10T12:00:00Z');
const MiB = 1024 * 1024;

/** POSTs a raw body to /v1/events; returns status, headers and parsed JSON. */
async function post(
  t: TestServer,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${t.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ingest[0]}`, 'content-type': 'application/json', ...headers },
    body: body as BodyInit,
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

describe('POST /v1/events', () => {
  let t: TestServer;
  const clock = new TestClock(NOW);
  const events = (first: number, n: number) => makeEvents(first, n, { startMs: NOW - 6 * 3_600_000, spreadMs: 5 * 3_600_000 });
  /** Events stored now, after loading everything acknowledged. */
  const stored = async () => {
    await t.server.engine.flush();
    return (await t.admin.storage()).totalEvents;
  };

  beforeAll(async () => {
    t = await startTestServer({ clock: clock.now, engineOptions: { loadIntervalMs: 200 } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('stores nothing while telemetry is off, and says so', async () => {
    const answer = await t.ingest.send(events(0, 10));
    expect(answer).toMatchObject({ ok: true, status: 200, result: { telemetryEnabled: false, accepted: 0, duplicate: false } });
    expect(await stored()).toBe(0);
    await t.admin.updateSettings({ enabled: true });
  });

  it('takes a JSON array and answers with the engine result', async () => {
    const answer = await t.ingest.send(events(0, 100));
    expect(answer).toEqual({
      ok: true,
      status: 200,
      result: { telemetryEnabled: true, accepted: 100, rejected: [], droppedFields: 0, duplicate: false },
    });
    expect(await stored()).toBe(100);
  });

  it('takes NDJSON, gzip, and gzip NDJSON', async () => {
    expect((await t.ingest.send(events(100, 50), { ndjson: true })).ok).toBe(true);
    const gz = await t.ingest.send(events(150, 50), { gzip: true });
    expect(gz).toMatchObject({ ok: true, result: { accepted: 50 } });
    const both = await t.ingest.send(events(200, 50), { gzip: true, ndjson: true });
    expect(both).toMatchObject({ ok: true, result: { accepted: 50 } });
    // NDJSON with blank lines and CRLF line ends.
    const text = events(250, 3).map((e) => JSON.stringify(e)).join('\r\n\r\n') + '\r\n';
    const crlf = await post(t, text, { 'content-type': 'application/x-ndjson; charset=utf-8' });
    expect(crlf).toMatchObject({ status: 200, json: { accepted: 3 } });
    expect(await stored()).toBe(253);
  });

  it('corrects a skewed client clock from sentAt in the body or X-Sent-At', async () => {
    // The device clock runs two days ahead: its timestamps would be "in the future" uncorrected.
    const skew = 2 * 86_400_000;
    const skewed = events(300, 10).map((e) => ({ ...e, timestamp: new Date(NOW + skew - 3_600_000).toISOString() }));
    const sentAt = new Date(NOW + skew).toISOString();
    const uncorrected = await t.ingest.send(skewed.slice(0, 2));
    expect(uncorrected).toMatchObject({ ok: true, result: { accepted: 0, rejected: [{ code: 'timestamp_in_future' }, { index: 1 }] } });
    expect(await t.ingest.send(skewed.slice(0, 5), { sentAt, sentAtInBody: true })).toMatchObject({ ok: true, result: { accepted: 5 } });
    expect(await t.ingest.send(skewed.slice(5), { sentAt })).toMatchObject({ ok: true, result: { accepted: 5 } });
    const { partitions } = await t.admin.storage();
    expect(partitions.map((p) => p.day)).toEqual(['2024-06-10']);
  });

  it('stores the valid events of a batch and lists the rejected ones (partial success)', async () => {
    const batch: Array<Record<string, unknown>> = events(400, 4);
    batch[1] = { ...batch[1], type: 'teleport' };
    batch[2] = { ...batch[2], productId: undefined };
    batch.push({ ...batch[0] }); // same eventId again
    batch[3] = { ...batch[3], ip: '10.1.2.3' };
    const before = await stored();
    const answer = await t.ingest.send(batch);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.result.accepted).toBe(2);
    expect(answer.result.droppedFields).toBe(1);
    expect(answer.result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'unknown_type'],
      [2, 'missing_field'],
      [4, 'duplicate_in_batch'],
    ]);
    for (const r of answer.result.rejected) expect(r.message).toEqual(expect.any(String));
    expect(await stored()).toBe(before + 2);
  });

  it('answers a repeated Idempotency-Key as the first time and stores nothing new', async () => {
    const batch = events(500, 20);
    const first = await t.ingest.send(batch, { idempotencyKey: 'batch-500' });
    expect(first).toMatchObject({ ok: true, result: { accepted: 20, duplicate: false } });
    const count = await stored();
    const again = await t.ingest.send(batch, { idempotencyKey: 'batch-500' });
    expect(again).toMatchObject({ ok: true, result: { accepted: 20, duplicate: true } });
    // Even different contents under the same key: the first answer, nothing stored.
    const other = await t.ingest.send(events(600, 5), { idempotencyKey: 'batch-500' });
    expect(other).toMatchObject({ ok: true, result: { accepted: 20, duplicate: true } });
    expect(await stored()).toBe(count);
    // The same events under a new key are deduplicated by eventId.
    expect(await t.ingest.send(batch, { idempotencyKey: 'batch-500-retry' })).toMatchObject({ ok: true });
    expect(await stored()).toBe(count);
    const tooLong = await t.ingest.send(batch, { idempotencyKey: 'k'.repeat(129) });
    expect(tooLong).toMatchObject({ ok: false, status: 400, error: { code: 'invalid_idempotency_key' } });
  });

  it('refuses 10,001 events with 413 and stores none of them', async () => {
    const before = await stored();
    const answer = await t.ingest.send(events(10_000, 10_001));
    expect(answer).toMatchObject({ ok: false, status: 413, error: { code: 'too_many_events' } });
    const nd = await t.ingest.send(events(10_000, 10_001), { ndjson: true, gzip: true });
    expect(nd).toMatchObject({ ok: false, status: 413 });
    expect(await stored()).toBe(before);
    // Exactly 10,000 is fine.
    expect(await t.ingest.send(events(30_000, 10_000), { gzip: true })).toMatchObject({ ok: true, result: { accepted: 10_000 } });
    expect(await stored()).toBe(before + 10_000);
  });

  it('limits the body to 10 MiB after decompression (413, nothing stored)', async () => {
    const before = await stored();
    const valid = JSON.stringify(events(50_000, 10));
    const padTo = (bytes: number) => valid.slice(0, -1) + ' '.repeat(bytes - valid.length) + ']';
    // 10 MiB + 1 of valid JSON, 10 KB on the wire.
    const bomb = gzipSync(padTo(10 * MiB + 1));
    expect(bomb.length).toBeLessThan(100_000);
    const overGz = await post(t, bomb, { 'content-encoding': 'gzip' });
    expect(overGz).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
    // Much larger bombs stop at the limit too (the inflater is not run to the end).
    const big = await post(t, gzipSync(Buffer.alloc(200 * MiB, 0x20)), { 'content-encoding': 'gzip' });
    expect(big.status).toBe(413);
    const overPlain = await post(t, padTo(10 * MiB + 1));
    expect(overPlain.status).toBe(413);
    expect(await stored()).toBe(before);
    // Exactly 10 MiB decompressed is accepted.
    const exact = await post(t, gzipSync(padTo(10 * MiB)), { 'content-encoding': 'gzip' });
    expect(exact).toMatchObject({ status: 200, json: { accepted: 10 } });
  });

  it('answers 400 invalid_body for bodies that are not JSON/NDJSON of objects', async () => {
    const cases: Array<[string | Uint8Array, Record<string, string>?]> = [
      ['not json'],
      [''],
      ['42'],
      ['"text"'],
      ['[1, 2]'],
      ['[{"eventId":"a"}, null]'],
      ['{"events": "nope"}'],
      ['{"nothing": []}'],
      ['{"eventId":"x"}\n[1]\n', { 'content-type': 'application/x-ndjson' }],
      ['{"eventId":"x"}\n{broken\n', { 'content-type': 'application/x-ndjson' }],
      [new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]), { 'content-encoding': 'gzip' }],
    ];
    for (const [body, headers] of cases) {
      const res = await post(t, body, headers);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('invalid_body');
      expect(res.json.error.message).toEqual(expect.any(String));
      expect(JSON.stringify(res.json)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack
    }
    const ndjson = await post(t, '{"eventId":"x"}\n{broken\n', { 'content-type': 'application/x-ndjson' });
    expect(ndjson.json.error.message).toMatch(/line 2/);
    const unsupported = await post(t, 'xx', { 'content-encoding': 'compress' });
    expect(unsupported.status).toBe(415);
  });

  it('logs one JSON line per request without tokens or event contents', async () => {
    await t.ingest.send(events(70_000, 3));
    const line = t.logLines.filter((l) => l.msg === 'request' && l.path === '/v1/events').at(-1)!;
    expect(line).toMatchObject({ method: 'POST', path: '/v1/events', status: 200, eventsAccepted: 3 });
    expect(line.durationMs).toEqual(expect.any(Number));
    const all = JSON.stringify(t.logLines);
    for (const secret of [TOKENS.admin, TOKENS.viewer, ...TOKENS.ingest]) expect(all).not.toContain(secret);
    expect(all).not.toContain('user-1');
    expect(all).not.toContain('NullPointerException');
  });
});

describe('back-pressure on /v1/events', () => {
  it('answers 503 with Retry-After when the engine is overloaded', async () => {
    const t = await startTestServer({ clock: () => NOW, engineOptions: { background: false, maxPendingEvents: 5 } });
    try {
      await t.admin.updateSettings({ enabled: true });
      const events = makeEvents(0, 6, { startMs: NOW - 3_600_000 });
      const answer = await t.ingest.send(events);
      expect(answer).toMatchObject({ ok: false, status: 503, error: { code: 'overloaded' } });
      if (!answer.ok) expect(answer.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await t.stop();
    }
  });

  it('answers 429 with Retry-After past the cap of requests in flight', async () => {
    const t = await startTestServer({ clock: () => NOW, limits: { maxInFlightIngest: 1 } });
    try {
      await t.admin.updateSettings({ enabled: true });
      const body = JSON.stringify(makeEvents(0, 5, { startMs: NOW - 3_600_000 }));
      // A slow sender, admitted and reading its body: it holds the only slot.
      const slow = await startSlowPost(`${t.url}/v1/events`, { authorization: `Bearer ${TOKENS.ingest[1]}`, 'content-type': 'application/json' }, body);
      const refused = await t.ingest.send(makeEvents(10, 1, { startMs: NOW - 3_600_000 }));
      expect(refused).toMatchObject({ ok: false, status: 429, error: { code: 'too_many_requests' }, retryAfterSeconds: 1 });
      const answer = await slow.finish();
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ accepted: 5 });
      expect(await t.ingest.send(makeEvents(10, 1, { startMs: NOW - 3_600_000 }))).toMatchObject({ ok: true });
    } finally {
      await t.stop();
    }
  });
});
