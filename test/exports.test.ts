import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvents } from './support/events.ts';
import { startTestServer, TestClock, type TestServer } from './support/server.ts';

const NOW = Date.parse('2024-06-10T12:00:00Z');
const RANGE = { from: '2024-06-09', to: '2024-06-10' };

describe('exports: createExport, then GET /exports/:id streamed', () => {
  let t: TestServer;
  const clock = new TestClock(NOW);

  beforeAll(async () => {
    t = await startTestServer({ clock: clock.now });
    await t.admin.updateSettings({ enabled: true });
    await t.ingest.send(makeEvents(0, 40, { startMs: NOW - 20 * 3_600_000, spreadMs: 10 * 3_600_000, productId: 'app' }));
    await t.ingest.send(makeEvents(100, 10, { startMs: NOW - 3_600_000, productId: 'other' }));
    await t.server.engine.flush();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('streams every format with its content type and a file name', async () => {
    const expected = {
      NDJSON: { type: 'application/x-ndjson', ext: 'ndjson' },
      CSV: { type: 'text/csv; charset=utf-8', ext: 'csv' },
      PARQUET: { type: 'application/vnd.apache.parquet', ext: 'parquet' },
      ARROW: { type: 'application/vnd.apache.arrow.stream', ext: 'arrows' },
    } as const;
    for (const format of ['NDJSON', 'CSV', 'PARQUET', 'ARROW'] as const) {
      const info = await t.admin.createExport({ dataset: 'EVENTS', format, range: RANGE, filter: { products: ['app'] } });
      expect(info).toMatchObject({ format, dataset: 'EVENTS', rows: 40, url: `/exports/${info.id}` });
      expect(Date.parse(info.expiresAt)).toBeGreaterThan(NOW);
      const res = await t.viewer.download(info);
      expect(res.status, format).toBe(200);
      expect(res.headers.get('content-type')).toBe(expected[format].type);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="telemetry-events-${info.id}.${expected[format].ext}"`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.length).toBe(info.bytes);
      expect(Number(res.headers.get('content-length'))).toBe(info.bytes);
      if (format === 'NDJSON') {
        const rows = new TextDecoder().decode(bytes).trim().split('\n').map((l) => JSON.parse(l));
        expect(rows).toHaveLength(40);
        expect(rows.every((r) => r.productId === 'app')).toBe(true);
        expect(JSON.stringify(rows)).not.toContain('user-1"'); // pseudonymized
      }
      if (format === 'CSV') expect(new TextDecoder().decode(bytes).trim().split('\n')).toHaveLength(41);
      if (format === 'PARQUET') expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('PAR1');
      if (format === 'ARROW') expect(tableFromIPC(bytes).numRows).toBe(40);
    }
  });

  it('exports daily aggregates', async () => {
    const info = await t.admin.createExport({ dataset: 'DAILY_AGGREGATES', format: 'CSV', range: RANGE });
    expect(info.dataset).toBe('DAILY_AGGREGATES');
    const res = await t.admin.download(info.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('telemetry-daily_aggregates-');
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  it('answers 404 once an export has expired', async () => {
    const info = await t.admin.createExport({ dataset: 'EVENTS', format: 'CSV', range: RANGE });
    clock.nowMs = Date.parse(info.expiresAt) + 1;
    try {
      const res = await t.admin.download(info);
      expect(res.status).toBe(404);
    } finally {
      clock.nowMs = NOW;
    }
  });

  it('is refused to a viewer as createExport (a mutation)', async () => {
    await expect(t.viewer.createExport({ dataset: 'EVENTS', format: 'CSV', range: RANGE })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
