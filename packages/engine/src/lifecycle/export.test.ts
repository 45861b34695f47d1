import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays, BadInputError, type Day, EXPORT_FORMATS, type ExportFormat, type SegmentFilter } from '@telemetry/schema';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRequest, StoredEventRow } from '../engine.ts';
import { Sql } from '../storage/duck.ts';
import { sweepExports } from './index.ts';
import { ingestAll, listFiles, makeEvents, openTestEngine, type TestEngine, withDuck } from './test-fixtures.ts';

const TODAY = '2026-03-01' as Day;
const RANGE = { from: addDays(TODAY, -4), to: addDays(TODAY, -1) };
const FILTER: SegmentFilter = { os: ['windows', 'linux'], licenseTypes: ['pro', 'unknown'] };

let t: TestEngine;
beforeAll(async () => {
  t = await openTestEngine({ now: `${TODAY}T12:00:00Z` });
  await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  await ingestAll(t.engine, makeEvents({ from: addDays(TODAY, -6), to: TODAY, perDay: 300, users: 40, seed: 11 }));
  await ingestAll(t.engine, makeEvents({ from: addDays(TODAY, -6), to: TODAY, perDay: 100, users: 40, seed: 12, idPrefix: 'second' }));
});
afterAll(async () => {
  await t.dispose();
});

async function scanned(range: { from: Day; to: Day }, filter?: SegmentFilter): Promise<StoredEventRow[]> {
  const rows: StoredEventRow[] = [];
  for await (const r of t.engine.scan({ range, filter })) rows.push(r);
  return rows;
}

const byKey = (a: { productId: unknown; eventId: unknown }, b: { productId: unknown; eventId: unknown }) =>
  `${a.productId}/${a.eventId}`.localeCompare(`${b.productId}/${b.eventId}`);

/** An EVENTS export file read back with an independent reader, as StoredEventRows. */
async function readEvents(format: ExportFormat, path: string): Promise<StoredEventRow[]> {
  const parseProps = (r: Record<string, unknown>) => ({ ...r, properties: r.properties === null ? null : JSON.parse(r.properties as string) }) as StoredEventRow;
  switch (format) {
    case 'PARQUET':
      return withDuck(async (all) =>
        (
          await all(
            `SELECT "eventId", "productId", strftime("timestamp", '%Y-%m-%dT%H:%M:%S.%gZ') AS "timestamp", "day"::VARCHAR AS "day", type,
              "userHash"::VARCHAR AS "userHash", "sessionId", name, value, "appVersion", os, "osVersion", country,
              "licenseHash"::VARCHAR AS "licenseHash", "licenseType", properties FROM read_parquet($1)`,
            [path],
          )
        ).map(parseProps),
      );
    case 'CSV':
      return withDuck(async (all) =>
        (await all(`SELECT * FROM read_csv($1, header = true, all_varchar = true)`, [path])).map((r) =>
          parseProps({ ...r, value: r.value === null ? null : Number(r.value) }),
        ),
      );
    case 'NDJSON': {
      const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0);
      const viaDuck = await withDuck(async (all) => (await all(`SELECT count(*)::INTEGER AS n FROM read_json($1, format = 'newline_delimited')`, [path]))[0].n);
      expect(viaDuck).toBe(lines.length);
      return lines.map((l) => JSON.parse(l) as StoredEventRow);
    }
    case 'ARROW': {
      const table = tableFromIPC(await readFile(path));
      return table.toArray().map((row) => {
        const r = row.toJSON() as Record<string, unknown>;
        return parseProps({
          ...r,
          timestamp: new Date(r.timestamp as number).toISOString(),
          day: new Date(r.day as number).toISOString().slice(0, 10),
          userHash: String(r.userHash),
          licenseHash: r.licenseHash === null ? null : String(r.licenseHash),
        });
      });
    }
  }
}

/** A DAILY_AGGREGATES file read back as plain rows (numbers as numbers, day as text). */
async function readAggregates(format: ExportFormat, path: string): Promise<Record<string, unknown>[]> {
  const rows = await readAggregateFile(format, path);
  // `latency` is a nested list in PARQUET and NDJSON, JSON text in CSV and ARROW.
  return rows.map((r) => ({ ...r, latency: typeof r.latency === 'string' ? JSON.parse(r.latency) : deepPlain(r.latency) }));
}

function deepPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(deepPlain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepPlain(x)]));
  return v;
}

async function readAggregateFile(format: ExportFormat, path: string): Promise<Record<string, unknown>[]> {
  const plain = (r: Record<string, unknown>) => deepPlain(r) as Record<string, unknown>;
  switch (format) {
    case 'PARQUET':
      return withDuck(async (all) => (await all(`SELECT * REPLACE ("day"::VARCHAR AS "day") FROM read_parquet($1)`, [path])).map(plain));
    case 'CSV':
      return withDuck(async (all) => (await all(`SELECT * REPLACE ("day"::VARCHAR AS "day") FROM read_csv($1, header = true)`, [path])).map(plain));
    case 'NDJSON':
      return (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    case 'ARROW':
      return tableFromIPC(await readFile(path))
        .toArray()
        .map((row) => {
          const r = plain(row.toJSON() as Record<string, unknown>);
          return { ...r, day: new Date(r.day as number).toISOString().slice(0, 10) };
        });
  }
}

describe('createExport EVENTS', () => {
  it.each(EXPORT_FORMATS)('%s reads back into exactly the rows scan() returns for the range and filter', async (format) => {
    const expected = await scanned(RANGE, FILTER);
    expect(new Set(expected.map((r) => r.day))).toEqual(new Set([RANGE.from, addDays(RANGE.from, 1), addDays(RANGE.from, 2), RANGE.to]));
    expect(expected.some((r) => r.properties !== null && r.licenseHash !== null && r.osVersion === null)).toBe(true);

    const x = await t.engine.createExport({ dataset: 'EVENTS', format, range: RANGE, filter: FILTER }, 'admin');

    const rows = await readEvents(format, x.path);
    expect(rows.sort(byKey)).toEqual([...expected].sort(byKey));
    expect(x.rows).toBe(expected.length);
    expect(x.bytes).toBe((await stat(x.path)).size);
    expect(x.path).toBe(join(t.dir, 'exports', `${x.id}.${{ PARQUET: 'parquet', CSV: 'csv', NDJSON: 'ndjson', ARROW: 'arrows' }[format]}`));
    expect(await t.engine.getExport(x.id)).toEqual(x);
  });

  it('takes range days inclusively and nothing outside; a range without data still yields a readable, empty file', async () => {
    const day = addDays(TODAY, -2);
    const one = await t.engine.createExport({ dataset: 'EVENTS', format: 'NDJSON', range: { from: day, to: day } });
    const rows = await readEvents('NDJSON', one.path);
    expect(rows.length).toBe((await scanned({ from: day, to: day })).length);
    expect(new Set(rows.map((r) => r.day))).toEqual(new Set([day]));

    const empty = { from: '2025-01-01' as Day, to: '2025-01-31' as Day };
    for (const format of EXPORT_FORMATS) {
      const x = await t.engine.createExport({ dataset: 'EVENTS', format, range: empty });
      expect(x.rows).toBe(0);
      expect(await readEvents(format, x.path)).toEqual([]);
    }
    const arrow = await t.engine.createExport({ dataset: 'EVENTS', format: 'ARROW', range: empty });
    expect(tableFromIPC(await readFile(arrow.path)).schema.fields.map((f) => f.name)).toContain('userHash');
    expect((await readFile((await t.engine.createExport({ dataset: 'EVENTS', format: 'CSV', range: empty })).path, 'utf8')).trim()).toMatch(/^eventId,productId,timestamp/);
  });
});

describe('createExport EVENTS with text that needs escaping', () => {
  // Free-text fields are any 1..n characters: quotes, backslashes, control characters, separators
  // and non-ASCII must come back exactly in every format (NDJSON lines are built in SQL).
  const HOSTILE = ['say "hi", then \\leave\\', 'tab\there\nnew line\r\nand \u0001\u001f', '日本語 ✓ 😀 \u2028\u2029 </script>', "it's, a; ,,\"csv\"", '{"not":"json"}'];
  let own: TestEngine;
  beforeAll(async () => {
    own = await openTestEngine({ now: `${TODAY}T12:00:00Z` });
    await own.engine.updateSettings({ enabled: true });
    const events = HOSTILE.map((text, i) => ({
      eventId: `${text}#${i}`,
      timestamp: `${TODAY}T0${i}:00:00.${String(i).padStart(3, '0')}Z`,
      type: 'feature_used',
      productId: 'app',
      userId: `user ${text}`,
      sessionId: `session ${text}`,
      name: text,
      appVersion: `1.0 ${text}`,
      os: 'windows',
      osVersion: text,
      country: 'DE',
      licenseId: text,
      licenseType: 'pro',
      properties: { text, [text.slice(0, 20)]: i, ok: i % 2 === 0 },
    }));
    await ingestAll(own.engine, events);
  });
  afterAll(async () => {
    await own.dispose();
  });

  it.each(EXPORT_FORMATS)('%s reads back into exactly the rows scan() returns', async (format) => {
    const range = { from: TODAY, to: TODAY };
    const expected: StoredEventRow[] = [];
    for await (const r of own.engine.scan({ range })) expected.push(r);
    expect(expected).toHaveLength(HOSTILE.length);
    const x = await own.engine.createExport({ dataset: 'EVENTS', format, range });
    expect(x.rows).toBe(HOSTILE.length);
    expect((await readEvents(format, x.path)).sort(byKey)).toEqual([...expected].sort(byKey));
  });
});

describe('createExport DAILY_AGGREGATES', () => {
  it('holds the same rows in every format, and per-day event counts equal to the raw events', async () => {
    const perFormat: Record<string, Record<string, unknown>[]> = {};
    for (const format of EXPORT_FORMATS) {
      const x = await t.engine.createExport({ dataset: 'DAILY_AGGREGATES', format, range: RANGE, filter: FILTER });
      perFormat[format] = await readAggregates(format, x.path);
      expect(x.rows).toBe(perFormat[format].length);
    }
    const sortKey = (r: Record<string, unknown>) => JSON.stringify([r.day, r.productId, r.appVersion, r.os, r.country, r.licenseType]);
    const canonical = perFormat.NDJSON.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    for (const format of EXPORT_FORMATS) {
      expect(perFormat[format].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(canonical);
    }
    const raw = await scanned(RANGE, FILTER);
    const perDay = (rows: readonly Record<string, unknown>[], weight: (r: Record<string, unknown>) => number) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(r.day as string, (m.get(r.day as string) ?? 0) + weight(r));
      return m;
    };
    expect(perDay(canonical, (r) => r.events as number)).toEqual(perDay(raw as unknown as Record<string, unknown>[], () => 1));
    expect(canonical.every((r) => (r.os === 'windows' || r.os === 'linux') && (r.licenseType === 'pro' || r.licenseType === 'unknown'))).toBe(true);
  });
});

describe('export registry', () => {
  it('serves an export for 24 hours and then never; audits it with counts only', async () => {
    const x = await t.engine.createExport({ dataset: 'EVENTS', format: 'CSV', range: RANGE, filter: { countries: ['DE'] } }, 'admin');
    const audit = (await t.engine.auditLog({ kinds: ['export_created'] })).find((a) => a.details.id === x.id);
    expect(audit).toMatchObject({ role: 'admin', details: { dataset: 'EVENTS', format: 'CSV', from: RANGE.from, to: RANGE.to, filtered: true, rows: x.rows, bytes: x.bytes } });
    expect(Date.parse(x.expiresAt)).toBe(t.clock.now + 24 * 3600_000);
    const saved = t.clock.now;
    try {
      t.clock.now = Date.parse(x.expiresAt) - 1;
      expect(await t.engine.getExport(x.id)).not.toBeNull();
      t.clock.now = Date.parse(x.expiresAt);
      expect(await t.engine.getExport(x.id)).toBeNull();
    } finally {
      t.clock.now = saved;
    }
    expect(await t.engine.getExport('not-an-id')).toBeNull();
    expect(await t.engine.getExport('0'.repeat(24))).toBeNull();
  });

  it('at open, removes export files that no registered export owns (partial writes, cut-off registrations)', async () => {
    const own = await openTestEngine({ now: `${TODAY}T12:00:00Z` });
    try {
      await own.engine.updateSettings({ enabled: true });
      await ingestAll(own.engine, makeEvents({ from: TODAY, to: TODAY, perDay: 10, users: 3 }));
      const kept = await own.engine.createExport({ dataset: 'EVENTS', format: 'PARQUET', range: { from: TODAY, to: TODAY } });
      const expired = await own.engine.createExport({ dataset: 'EVENTS', format: 'CSV', range: { from: TODAY, to: TODAY } });
      await writeFile(join(own.dir, 'exports', '.partial-0123456789abcdef01234567.csv'), 'half a file');
      await writeFile(join(own.dir, 'exports', 'fedcba9876543210fedcba98.ndjson'), '{}\n');
      await own.engine.close();
      // What the engine's open runs (see README: the lead wires sweepExports into open()).
      const instance = await DuckDBInstance.create(join(own.dir, 'engine.duckdb'));
      const sql = new Sql(await instance.connect());
      try {
        await sql.run(`UPDATE exports SET expires_at = created_at WHERE id = $1`, [expired.id]);
        expect(await sweepExports(sql, own.dir, own.clock.now)).toEqual({ expired: 1, orphans: 2 });
      } finally {
        sql.close();
        instance.closeSync();
      }
      expect(await listFiles(own.dir, 'exports')).toEqual([join('exports', `${kept.id}.parquet`)]);
    } finally {
      await own.dispose();
    }
  });

  it('refuses bad requests, naming the field', async () => {
    const field = async (request: unknown) => {
      try {
        await t.engine.createExport(request as ExportRequest);
      } catch (err) {
        expect(err).toBeInstanceOf(BadInputError);
        return (err as BadInputError).field;
      }
      throw new Error('not refused');
    };
    const ok = { dataset: 'EVENTS', format: 'CSV', range: RANGE };
    expect(await field({ ...ok, dataset: 'USERS' })).toBe('dataset');
    expect(await field({ ...ok, format: 'XML' })).toBe('format');
    expect(await field({ ...ok, range: { from: '2026-02-30', to: TODAY } })).toBe('range.from');
    expect(await field({ ...ok, range: { from: TODAY, to: '2026-03' } })).toBe('range.to');
    expect(await field({ ...ok, range: { from: TODAY, to: addDays(TODAY, -1) } })).toBe('range');
    expect(await field({ ...ok, range: { from: '2024-01-01', to: '2026-01-02' } })).toBe('range');
    expect(await field({ ...ok, filter: { os: 'windows' } })).toBe('filter.os');
    expect(await field({ ...ok, filter: { platform: ['x'] } })).toBe('filter.platform');
  });
});
