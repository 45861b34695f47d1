import { addDays, type Day, type StorageStatus } from '@telemetry/schema';

type StorageFacts = Pick<StorageStatus, 'totalBytes' | 'partitions'>;

/** Average bytes of one stored day (over the day partitions that hold data); null before any data. */
export function averageBytesPerDay(storage: StorageFacts): number | null {
  const days = storage.partitions.filter((p) => p.events > 0).length;
  return days === 0 ? null : storage.totalBytes / days;
}

/** The raw storage a duration would take at the current rate: average bytes per day × days. */
export function projectStorageBytes(storage: StorageFacts, durationDays: number): number | null {
  const perDay = averageBytesPerDay(storage);
  return perDay === null ? null : Math.round(perDay * durationDays);
}

/**
 * What the next retention run would delete with `durationDays`, counted from the partitions the
 * client already has: a day D expires when D < today − duration (metrics.md, Retention). Used when
 * the server does not answer `pendingDeletion` itself.
 */
export function estimatePendingDeletion(
  storage: Pick<StorageStatus, 'partitions'>,
  durationDays: number,
  today: Day,
): { days: number; events: number; oldestKeptDay: Day } {
  const oldestKeptDay = addDays(today, -durationDays);
  let days = 0;
  let events = 0;
  for (const partition of storage.partitions) {
    if (partition.day < oldestKeptDay) {
      days += 1;
      events += partition.events;
    }
  }
  return { days, events, oldestKeptDay };
}
