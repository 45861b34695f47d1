import { describe, expect, it } from 'vitest';
import { SeenEvents, dayNumberToString, dayStringToNumber } from './seen-events.ts';

const f64 = (xs: number[]) => Float64Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);

describe('SeenEvents', () => {
  it('drops repeats inside a batch (the first copy stays) and events already stored that day', async () => {
    const reads: number[] = [];
    const seen = new SeenEvents(async (d) => {
      reads.push(d);
      return d === 10 ? f64([7, 3]) : f64([]);
    });
    // A fingerprint stands for (product, event id): the same event on another day is a repeat too.
    const day = i32([10, 10, 11, 10, 11, 11, 11]);
    const fp = f64([3, 5, 4, 5, 9, 9, 5]);
    expect([...(await seen.duplicates(day, fp))]).toEqual([1, 0, 0, 1, 0, 1, 1]);
    expect(reads.sort()).toEqual([10, 11]);
  });

  it('knows what a committed load added, without reading the day again', async () => {
    let reads = 0;
    const seen = new SeenEvents(async () => (reads++, f64([])));
    const day = i32([1, 1]);
    const fp = f64([4, 2]);
    const drop = await seen.duplicates(day, fp);
    seen.addCommitted(day, fp, drop);
    expect([...(await seen.duplicates(i32([1, 1, 1]), f64([2, 3, 4])))]).toEqual([1, 0, 1]);
    expect(reads).toBe(1);
  });

  it('reads a day again after forget (erasure, retention) and after eviction', async () => {
    let stored = f64([1]);
    let reads = 0;
    const seen = new SeenEvents(async () => (reads++, stored), 8);
    expect([...(await seen.duplicates(i32([5]), f64([1])))]).toEqual([1]);
    stored = f64([]);
    seen.forget([5]);
    expect([...(await seen.duplicates(i32([5]), f64([1])))]).toEqual([0]);
    expect(reads).toBe(2);
    // 8 bytes hold one fingerprint: touching two more days evicts day 5.
    stored = f64([8]);
    await seen.duplicates(i32([6, 7]), f64([0, 0]));
    expect(seen.heldBytes).toBeLessThanOrEqual(8);
    await seen.duplicates(i32([5]), f64([8]));
    expect(reads).toBe(5);
  });

  it('converts day numbers both ways', () => {
    expect(dayNumberToString(dayStringToNumber('2025-06-30'))).toBe('2025-06-30');
    expect(dayStringToNumber('1970-01-02')).toBe(1);
  });
});

describe('EVENT_FINGERPRINT_SQL', () => {
  it('tells apart event ids that DuckDB hash() confused in the benchmark fleet', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { EVENT_FINGERPRINT_SQL } = await import('./seen-events.ts');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll(`SELECT ${EVENT_FINGERPRINT_SQL} AS fp FROM (VALUES
        ('sync-agent', 'u-001651-s26-14'), ('sync-agent', 'u-001190-s26-49'),
        ('sync-agent', 'u-001651-s26-15'), ('sync-agent', 'u-001190-s26-48')) t(product_id, event_id)`)
    ).getRowsJS();
    const fps = rows.map((r) => r[0] as number);
    expect(new Set(fps).size).toBe(4);
    for (const fp of fps) expect(Number.isSafeInteger(fp)).toBe(true);
    c.closeSync();
  });
});
