import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { addDays, BadInputError, type Day } from '@telemetry/schema';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEventRow } from '../engine.ts';
import { licenseKey } from '../ingest/batch-encoder.ts';
import { Pseudonymizer } from '../ingest/pseudonymizer.ts';
import { createSubjectExport, exportSubject } from './index.ts';
import { approximateAnswers, dayDirs, ingestAll, listFiles, makeEvents, openTestEngine, type TestEngine, withDuck } from './test-fixtures.ts';
import type { EngineInternals } from '../telemetry-engine.ts';

const TODAY = '2026-03-01' as Day;
/** Distinctive ids, so a byte search for them cannot hit anything else. */
const SUBJECT = 'Zq93-subject-alice';
const SOLO = 'Zq93-solo-bob';
const LICENSE = 'LIC-Zq93-acme';
const pseudonyms = new Pseudonymizer('test-secret'); // the secret openTestEngine passes

let t: TestEngine | null = null;
afterEach(async () => {
  await t?.dispose();
  t = null;
});

/** The engine's internals, for the subject-access functions the engine does not expose yet. */
function internalsOf(engine: unknown): EngineInternals {
  return (engine as { internals: EngineInternals }).internals;
}

async function arrange(): Promise<TestEngine> {
  t = await openTestEngine({ now: `${TODAY}T12:00:00Z` });
  await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  const base = makeEvents({ from: addDays(TODAY, -9), to: TODAY, perDay: 200, users: 30, seed: 3 });
  // The subject on 4 of the 10 days, one of them with a license; SOLO alone on a day of its own.
  const mine = makeEvents({ from: addDays(TODAY, -9), to: TODAY, perDay: 6, users: 1, seed: 4, idPrefix: 'mine' })
    .filter((_, i) => Math.floor(i / 6) % 3 === 0)
    .map((e, i) => ({ ...e, userId: SUBJECT, licenseId: i % 2 === 0 ? LICENSE : undefined, licenseType: 'pro' }));
  const solo = makeEvents({ from: addDays(TODAY, -15), to: addDays(TODAY, -15), perDay: 5, users: 1, seed: 5, idPrefix: 'solo' }).map((e) => ({
    ...e,
    userId: SOLO,
  }));
  await ingestAll(t.engine, [...base, ...solo]);
  await ingestAll(t.engine, mine); // a second load: the subject's days get a second file
  return t;
}

async function allRows(engine: TestEngine['engine']): Promise<StoredEventRow[]> {
  const rows: StoredEventRow[] = [];
  for await (const r of engine.scan({ range: { from: addDays(TODAY, -30), to: TODAY } })) rows.push(r);
  return rows;
}

/** Rows with the pseudonym in any Parquet file under the data dir (raw partitions and exports). */
async function parquetRowsWith(dir: string, column: 'user_hash' | 'license_hash' | 'userHash' | 'licenseHash', hash: string): Promise<number> {
  const files = (await listFiles(dir)).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
  if (files.length === 0) return 0;
  return withDuck(async (all) => {
    let n = 0;
    for (const f of files) {
      const cols = (await all(`SELECT name FROM parquet_schema($1)`, [f])).map((r) => r.name);
      if (!cols.includes(column)) continue;
      n += Number((await all(`SELECT count(*)::INTEGER AS n FROM read_parquet($1) WHERE ${column} = $2::UBIGINT`, [f, hash]))[0].n);
    }
    return n;
  });
}

/** Files under the data dir whose bytes contain `text`. */
async function filesContaining(dir: string, text: string): Promise<string[]> {
  const needle = Buffer.from(text, 'utf8');
  const hits: string[] = [];
  for (const f of await listFiles(dir)) if ((await readFile(join(dir, f))).includes(needle)) hits.push(f);
  return hits;
}

describe('deleteSubject', () => {
  it('rewrites exactly the partitions holding the user and leaves no trace of it in any raw file', async () => {
    const { engine, dir } = await arrange();
    const hash = pseudonyms.pseudonym(SUBJECT);
    const before = await allRows(engine);
    const theirs = before.filter((r) => r.userHash === hash);
    expect(theirs.length).toBe(24);
    const theirDays = new Set(theirs.map((r) => r.day));
    expect(await parquetRowsWith(dir, 'user_hash', hash)).toBe(24);
    const approxBefore = await approximateAnswers(engine, { from: addDays(TODAY, -9), to: TODAY });
    const eventsExport = await engine.createExport({ dataset: 'EVENTS', format: 'PARQUET', range: { from: addDays(TODAY, -9), to: TODAY } });
    const aggExport = await engine.createExport({ dataset: 'DAILY_AGGREGATES', format: 'CSV', range: { from: addDays(TODAY, -9), to: TODAY } });

    const report = await engine.deleteSubject({ userId: SUBJECT }, 'admin');

    expect(report).toEqual({ eventsDeleted: 24, partitionsRewritten: theirDays.size });
    const after = await allRows(engine);
    expect(after.filter((r) => r.userHash === hash)).toEqual([]);
    // Everyone else's events are untouched, field for field.
    const key = (r: StoredEventRow) => `${r.productId}/${r.eventId}`;
    const sort = (rows: StoredEventRow[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(after)).toEqual(sort(before.filter((r) => r.userHash !== hash)));
    // No trace on disk: not in any Parquet file, raw id nowhere in any file's bytes.
    expect(await parquetRowsWith(dir, 'user_hash', hash)).toBe(0);
    expect(await filesContaining(dir, SUBJECT)).toEqual([]);
    // Raw-event exports may hold the subject: removed. Aggregate exports hold no user: kept.
    expect(await engine.getExport(eventsExport.id)).toBeNull();
    expect(await listFiles(dir, 'exports')).toEqual([relative(dir, aggExport.path)]);
    // Aggregates are not changed by erasure (README: sketches cannot subtract one user).
    expect(await approximateAnswers(engine, { from: addDays(TODAY, -9), to: TODAY })).toEqual(approxBefore);

    const audit = await engine.auditLog({ kinds: ['subject_erased'] });
    expect(audit).toHaveLength(1);
    expect(audit[0].role).toBe('admin');
    expect(audit[0].details).toMatchObject({ eventsDeleted: 24, partitionsRewritten: theirDays.size, exportsRemoved: 1 });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(SUBJECT);
    expect(text).not.toContain(hash);

    // The manifest and the disk agree after a restart (no unlisted file was left behind).
    const files = (await listFiles(dir, 'events')).sort();
    await t!.reopen();
    expect((await listFiles(dir, 'events')).sort()).toEqual(files);
    expect(await allRows(t!.engine)).toHaveLength(after.length);
  });

  it('erases a license, and empties then removes a partition that held only the subject', async () => {
    const { engine, dir } = await arrange();
    const licenseHash = pseudonyms.pseudonym(licenseKey(LICENSE));
    const licensed = (await allRows(engine)).filter((r) => r.licenseHash === licenseHash).length;
    expect(licensed).toBe(12);
    expect(await engine.deleteSubject({ licenseId: LICENSE })).toMatchObject({ eventsDeleted: 12 });
    expect(await parquetRowsWith(dir, 'license_hash', licenseHash)).toBe(0);
    expect(await filesContaining(dir, LICENSE)).toEqual([]);

    const soloDay = addDays(TODAY, -15);
    expect(await dayDirs(dir)).toContain(`day=${soloDay}`);
    expect(await engine.deleteSubject({ userId: SOLO })).toEqual({ eventsDeleted: 5, partitionsRewritten: 1 });
    expect(await dayDirs(dir)).not.toContain(`day=${soloDay}`);
    expect((await engine.storageStatus()).partitions.map((p) => p.day)).not.toContain(soloDay);

    // Erasing someone with no events is a no-op that is still audited.
    expect(await engine.deleteSubject({ userId: 'nobody-Zq93' })).toEqual({ eventsDeleted: 0, partitionsRewritten: 0 });
    expect(await engine.auditLog({ kinds: ['subject_erased'] })).toHaveLength(3);
  });

  it('refuses anything but exactly one id, naming the field', async () => {
    const { engine } = await arrange();
    const refused = async (subject: unknown) => {
      try {
        await engine.deleteSubject(subject as never);
      } catch (err) {
        expect(err).toBeInstanceOf(BadInputError);
        return (err as BadInputError).field;
      }
      throw new Error('not refused');
    };
    expect(await refused({})).toBe('userId');
    expect(await refused({ userId: 'a', licenseId: 'b' })).toBe('licenseId');
    expect(await refused({ userId: '' })).toBe('userId');
    expect(await refused({ licenseId: 42 })).toBe('licenseId');
    expect(await engine.auditLog({ kinds: ['subject_erased'] })).toHaveLength(0);
  });
});

describe('erasure racing an export', () => {
  it('never leaves a raw-event export holding the erased subject, whichever finishes first', async () => {
    const messages: string[] = [];
    const log = (m: string) => messages.push(m);
    t = await openTestEngine({ now: `${TODAY}T12:00:00Z`, logger: { info: log, warn: log, error: log } });
    await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
    const events = makeEvents({ from: addDays(TODAY, -9), to: TODAY, perDay: 6000, users: 200, seed: 31 });
    for (const ev of events) if (ev.userId === 'user-7') ev.userId = SUBJECT;
    await ingestAll(t.engine, events);
    const hash = pseudonyms.pseudonym(SUBJECT);

    // Both start together: the export's COPY (60,000 rows, ARROW: the slowest) runs while the
    // erasure rewrites and commits, so the erasure usually lands in the middle of the export.
    const exporting = t.engine.createExport({ dataset: 'EVENTS', format: 'PARQUET', range: { from: addDays(TODAY, -9), to: TODAY } });
    const erasing = t.engine.deleteSubject({ userId: SUBJECT });
    const [x, report] = await Promise.all([exporting, erasing]);

    expect(report.eventsDeleted).toBeGreaterThan(0);
    const exported = await engineExportRows(x.path, hash);
    const retried = messages.some((m) => m.includes('writing it again'));
    if (retried) {
      // The export started before the erasure committed and was written again after it.
      expect(exported).toEqual({ rows: 60000 - report.eventsDeleted, subject: 0 });
    } else if ((await t.engine.getExport(x.id)) === null) {
      // The export finished first, and the erasure then removed it.
      expect(exported.subject).toBeGreaterThan(0);
    } else {
      expect(exported.subject).toBe(0);
    }
    console.info(`export/erasure race: ${retried ? 'export restarted after the erasure' : 'no overlap'}`);
  });
});

async function engineExportRows(path: string, hash: string): Promise<{ rows: number; subject: number }> {
  return withDuck(async (all) => {
    const [r] = await all(
      `SELECT count(*)::INTEGER AS rows, count(*) FILTER (WHERE "userHash" = $2::UBIGINT)::INTEGER AS subject FROM read_parquet($1)`,
      [path, hash],
    );
    return { rows: r.rows as number, subject: r.subject as number };
  }).catch(() => ({ rows: 0, subject: 0 }));
}

describe('subject access', () => {
  it('returns every stored event of the subject, as rows and as a file', async () => {
    const { engine } = await arrange();
    const e = internalsOf(engine);
    const rows: StoredEventRow[] = [];
    for await (const r of exportSubject(e, { userId: SUBJECT })) rows.push(r);
    const expected = (await allRows(engine)).filter((r) => r.userHash === pseudonyms.pseudonym(SUBJECT));
    expect(rows).toEqual(expected);

    const file = await createSubjectExport(e, { userId: SUBJECT }, 'NDJSON', 'admin');
    const lines = (await readFile(file.path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as StoredEventRow);
    const byId = (a: StoredEventRow, b: StoredEventRow) => a.eventId.localeCompare(b.eventId);
    expect(lines.sort(byId)).toEqual([...expected].sort(byId));
    expect(file.rows).toBe(24);
    expect((await engine.getExport(file.id))?.path).toBe(file.path);
    const audit = await engine.auditLog({ kinds: ['export_created'] });
    expect(audit[0].details).toMatchObject({ subjectAccess: true, rows: 24 });
    expect(JSON.stringify(audit)).not.toContain(SUBJECT);
    const parquet = await createSubjectExport(e, { userId: SUBJECT }, 'PARQUET', 'admin');
    expect(await parquetRowsWith(t!.dir, 'userHash', pseudonyms.pseudonym(SUBJECT))).toBe(24);
    expect(parquet.rows).toBe(24);

    // Erasure removes the access export too (it is a raw-event export).
    await engine.deleteSubject({ userId: SUBJECT });
    expect(await engine.getExport(file.id)).toBeNull();
    expect(await engine.getExport(parquet.id)).toBeNull();
    const none: StoredEventRow[] = [];
    for await (const r of exportSubject(e, { userId: SUBJECT })) none.push(r);
    expect(none).toEqual([]);
  });
});
