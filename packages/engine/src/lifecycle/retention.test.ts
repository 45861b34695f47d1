import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, type Day } from '@telemetry/schema';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchAggregator } from '../aggregate/aggregator.ts';
import { metricsAggregator } from '../aggregate/index.ts';
import {
  approximateAnswers,
  DAY_MS,
  dayDirs,
  eventsPerDayOnDisk,
  ingestAll,
  listFiles,
  makeEvents,
  openTestEngine,
  type TestEngine,
} from './test-fixtures.ts';

const TODAY = '2026-03-01' as Day;
let t: TestEngine | null = null;
afterEach(async () => {
  await t?.dispose();
  t = null;
});

/** 40 days of events ending today, stored with a long duration; the tests then shorten it. */
async function arrange(aggregator?: BatchAggregator): Promise<TestEngine> {
  t = await openTestEngine({ now: `${TODAY}T12:00:00Z`, aggregator });
  await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  // Two loads, so most days have two files.
  await ingestAll(t.engine, makeEvents({ from: addDays(TODAY, -39), to: TODAY, perDay: 150, users: 60, seed: 7 }));
  await ingestAll(t.engine, makeEvents({ from: addDays(TODAY, -39), to: TODAY, perDay: 50, users: 60, seed: 8, idPrefix: 'late' }));
  return t;
}

describe('runRetention', () => {
  it('drops every day older than today − N whole: files deleted from disk, folders gone, kept days untouched', async () => {
    const { engine, dir } = await arrange();
    const before = await eventsPerDayOnDisk(dir);
    expect(before.size).toBe(40);
    const range = { from: addDays(TODAY, -39), to: TODAY };
    const approxBefore = await approximateAnswers(engine, range);

    await engine.updateSettings({ storageDurationDays: 10 });
    const pending = await engine.pendingDeletion();
    const report = await engine.runRetention('admin');

    const keptFrom = addDays(TODAY, -10);
    const expectedDropped = [...before.keys()].filter((d) => d < keptFrom).sort() as Day[];
    expect(report.asOf).toBe(TODAY);
    expect(report.keptFrom).toBe(keptFrom);
    expect(report.droppedDays).toEqual(expectedDropped);
    expect(report.droppedDays).toHaveLength(29);
    const droppedEvents = expectedDropped.reduce((a, d) => a + before.get(d)!, 0);
    expect(report.droppedEvents).toBe(droppedEvents);
    expect(report.failedDays).toEqual([]);
    expect(pending).toEqual({ days: 29, events: droppedEvents, oldestKeptDay: keptFrom });

    // Really gone from disk, not only hidden: no file and no folder of a dropped day.
    const after = await eventsPerDayOnDisk(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].filter((d) => d >= keptFrom).sort());
    for (const [day, n] of after) expect(n).toBe(before.get(day));
    expect(await dayDirs(dir)).toEqual([...after.keys()].sort().map((d) => `day=${d}`));
    expect((await listFiles(dir, 'staging')).length).toBe(0);

    const status = await engine.storageStatus();
    expect(status.oldestDay).toBe(keptFrom);
    expect(status.aggregatedFrom).toBe(expectedDropped[0]);
    expect(status.totalEvents).toBe([...after.values()].reduce((a, n) => a + n, 0));

    // EXACT-style access to a dropped day finds nothing; APPROXIMATE answers are unchanged.
    const rows: unknown[] = [];
    for await (const r of engine.scan({ range: { from: expectedDropped[0], to: expectedDropped[expectedDropped.length - 1] } })) rows.push(r);
    expect(rows).toHaveLength(0);
    expect(await approximateAnswers(engine, range)).toEqual(approxBefore);

    const audit = await engine.auditLog({ kinds: ['retention_run'] });
    expect(audit).toHaveLength(1);
    expect(audit[0].role).toBe('admin');
    expect(audit[0].details).toMatchObject({ days: expectedDropped, events: droppedEvents, keptFrom });
    expect(typeof audit[0].details.durationMs).toBe('number');
  });

  it('is idempotent, and a shorter duration or a later day takes effect at the next run', async () => {
    const { engine, clock } = await arrange();
    await engine.updateSettings({ storageDurationDays: 30 });
    const first = await engine.runRetention();
    expect(first.droppedDays).toEqual([addDays(TODAY, -39), addDays(TODAY, -38), addDays(TODAY, -37), addDays(TODAY, -36), addDays(TODAY, -35), addDays(TODAY, -34), addDays(TODAY, -33), addDays(TODAY, -32), addDays(TODAY, -31)]);
    expect((await engine.runRetention()).droppedDays).toEqual([]);

    clock.now += DAY_MS; // tomorrow: exactly one more day expires
    const next = await engine.runRetention();
    expect(next.droppedDays).toEqual([addDays(TODAY, -30)]);

    await engine.updateSettings({ storageDurationDays: 7 });
    expect((await engine.pendingDeletion()).days).toBe(23);
    const shorter = await engine.runRetention();
    expect(shorter.droppedDays).toHaveLength(23); // today is TODAY + 1: days TODAY−29 … TODAY−7
    expect(shorter.keptFrom).toBe(addDays(TODAY, -6));
    expect((await engine.storageStatus()).partitions.map((p) => p.day)[0]).toBe(addDays(TODAY, -6));
  });

  it('never drops a day whose events could not be aggregated, and drops it once they are', async () => {
    let failing = false;
    const flaky: BatchAggregator = {
      init: (sql) => metricsAggregator.init(sql),
      applyBatch: async (sql, table) => {
        if (failing) throw new Error('aggregation failed (test)');
        await metricsAggregator.applyBatch(sql, table);
      },
    };
    const { engine, dir } = await arrange(flaky);
    const listed = async () => new Map((await engine.storageStatus()).partitions.map((p) => [p.day as string, p.events]));
    await engine.updateSettings({ storageDurationDays: 10 });
    // A late event for a day that is about to expire, acknowledged but not loadable now.
    failing = true;
    const late = makeEvents({ from: addDays(TODAY, -20), to: addDays(TODAY, -20), perDay: 3, users: 5, seed: 99, idPrefix: 'unloaded' });
    // Ingest refuses events older than the duration: acknowledge it while the duration is long.
    await engine.updateSettings({ storageDurationDays: 730 });
    expect((await engine.ingest(late)).accepted).toBe(3);
    await engine.updateSettings({ storageDurationDays: 10 });
    const before = await listed();

    const report = await engine.runRetention();
    expect(report.droppedDays).toEqual([]);
    expect(report.droppedEvents).toBe(0);
    expect(report.failedDays).toHaveLength(29);
    expect(await listed()).toEqual(before);
    const audit = await engine.auditLog({ kinds: ['retention_run'] });
    expect(audit[0].details.failedDays).toHaveLength(29);

    failing = false;
    const retry = await engine.runRetention();
    expect(retry.droppedDays).toHaveLength(29);
    expect(retry.failedDays).toEqual([]);
    // The late events were loaded (and aggregated) first, then dropped with their day.
    expect(retry.droppedEvents).toBe([...before].filter(([d]) => d < report.keptFrom).reduce((a, [, n]) => a + n, 0) + 3);
    // The failed load left unlisted Parquet files (COPY is not transactional); open removes them.
    await t!.reopen();
    expect((await dayDirs(dir)).filter((d) => d < `day=${report.keptFrom}`)).toEqual([]);
    expect([...(await eventsPerDayOnDisk(dir)).keys()].sort()).toEqual([...before.keys()].filter((d) => d >= report.keptFrom).sort());
  });

  it('waits for a reader of a dropped day to finish before the files go, and never deletes under it', async () => {
    const { engine, dir } = await arrange();
    await engine.updateSettings({ storageDurationDays: 10 });
    const oldDay = addDays(TODAY, -30);
    const reader = engine.scan({ range: { from: oldDay, to: oldDay } })[Symbol.asyncIterator]();
    const first = await reader.next(); // the scan now holds a lease on the old day's files
    expect(first.done).toBe(false);

    let finished = false;
    const job = engine.runRetention().then((r) => {
      finished = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(finished).toBe(false);
    expect((await readdir(join(dir, 'events', `day=${oldDay}`))).length).toBeGreaterThan(0);

    let n = 1;
    while (!(await reader.next()).done) n++;
    expect(n).toBe(200); // 150 + 50 events per day, all read although retention ran meanwhile
    const report = await job;
    expect(report.droppedDays).toContain(oldDay);
    expect(await dayDirs(dir)).not.toContain(`day=${oldDay}`);
  });

  it('removes exports older than 24 hours', async () => {
    const { engine, clock } = await arrange();
    const x = await engine.createExport({ dataset: 'EVENTS', format: 'CSV', range: { from: TODAY, to: TODAY } });
    clock.now += 23 * 3600_000;
    await engine.runRetention();
    expect(await engine.getExport(x.id)).not.toBeNull();
    clock.now += 2 * 3600_000;
    expect(await engine.getExport(x.id)).toBeNull(); // expired even before the sweep
    await engine.runRetention();
    expect(await listFiles(t!.dir, 'exports')).toEqual([]);
  });
});
