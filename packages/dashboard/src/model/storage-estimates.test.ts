import type { Day, Partition } from '@telemetry/schema';
import { describe, expect, it } from 'vitest';
import { averageBytesPerDay, estimatePendingDeletion, projectStorageBytes } from './storage-estimates.ts';

const partition = (day: string, events: number, bytes: number): Partition => ({ day: day as Day, events, bytes, files: 1, aggregated: true });

describe('storage estimates', () => {
  const storage = {
    totalBytes: 3_000_000,
    partitions: [partition('2026-11-01', 100, 1_000_000), partition('2026-11-20', 300, 1_500_000), partition('2026-11-25', 50, 500_000)],
  };

  it('projects a duration at the average bytes per stored day', () => {
    expect(averageBytesPerDay(storage)).toBe(1_000_000);
    expect(projectStorageBytes(storage, 90)).toBe(90_000_000);
    expect(projectStorageBytes({ totalBytes: 0, partitions: [] }, 90)).toBeNull();
  });

  it('counts the days a shorter duration would drop: those before today − duration', () => {
    const today = '2026-11-25' as Day;
    expect(estimatePendingDeletion(storage, 5, today)).toEqual({ days: 1, events: 100, oldestKeptDay: '2026-11-20' });
    expect(estimatePendingDeletion(storage, 4, today)).toEqual({ days: 2, events: 400, oldestKeptDay: '2026-11-21' });
    expect(estimatePendingDeletion(storage, 90, today)).toEqual({ days: 0, events: 0, oldestKeptDay: '2026-08-27' });
  });
});
