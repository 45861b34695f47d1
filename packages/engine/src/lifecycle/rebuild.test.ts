import { addDays, BadInputError, type Day, RawDataExpiredError } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approximateAnswers, ingestAll, makeEvents, openTestEngine, type TestEngine } from './test-fixtures.ts';

const TODAY = '2026-03-01' as Day;
let t: TestEngine;
beforeAll(async () => {
  t = await openTestEngine({ now: `${TODAY}T12:00:00Z` });
  await t.engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  await ingestAll(t.engine, makeEvents({ from: addDays(TODAY, -19), to: TODAY, perDay: 100, users: 30, seed: 21 }));
  await t.engine.updateSettings({ storageDurationDays: 10 });
  await t.engine.runRetention();
});
afterAll(async () => {
  await t.dispose();
});

describe('rebuildAggregates', () => {
  it('refuses a range that reaches a day dropped by retention: sealed days are never recomputed', async () => {
    const range = { from: addDays(TODAY, -12), to: TODAY };
    const err = await t.engine.rebuildAggregates(range).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RawDataExpiredError);
    expect((err as RawDataExpiredError).code).toBe('RAW_DATA_EXPIRED');
    expect((err as RawDataExpiredError).expiredDays).toEqual([addDays(TODAY, -12), addDays(TODAY, -11)]);
    expect(await t.engine.auditLog({ kinds: ['aggregates_rebuilt'] })).toEqual([]);
  });

  it('refuses a malformed range, naming the field', async () => {
    await expect(t.engine.rebuildAggregates({ from: 'yesterday' as Day, to: TODAY })).rejects.toMatchObject({ field: 'range.from' });
    await expect(t.engine.rebuildAggregates({ from: TODAY, to: addDays(TODAY, -1) })).rejects.toBeInstanceOf(BadInputError);
  });

  it('recomputes kept days from their raw files and answers the same afterwards', async () => {
    const range = { from: addDays(TODAY, -9), to: TODAY };
    const before = await approximateAnswers(t.engine, range);
    expect(await t.engine.rebuildAggregates(range)).toEqual({ days: 10, events: 1000 });
    expect(await approximateAnswers(t.engine, range)).toEqual(before);
    const audit = await t.engine.auditLog({ kinds: ['aggregates_rebuilt'] });
    expect(audit[0].details).toMatchObject({ from: range.from, to: range.to, days: 10, events: 1000 });
  });
});
