import { MS_PER_DAY } from './fleet-plan.ts';

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
/** `HH:MM:SS.` for every second of a day (86,400 short strings, about 3 MB, built once). */
let secondsOfDay: string[] | undefined;
/** `mmmZ` for every millisecond of a second. */
const MILLIS_Z = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0') + 'Z');

/**
 * RFC 3339 timestamps for instants near a known range, without a `Date` per event: the `YYYY-MM-DDT`
 * prefix is cached per day and the time of day comes from lookup tables, so each timestamp is two
 * concatenations. Fewer intermediate strings matter more than CPU here: a consumer holding a 10,000-event
 * batch makes every string of it survive a scavenge, and the garbage collector dominated the generator's
 * profile before these tables (`toISOString()` per event, or eight concatenations, cost ~40% of its rate).
 */
export class TimestampFormatter {
  private readonly firstDayMs: number;
  private readonly prefixes: string[];

  /** Covers `days` days from `startMs` (a UTC midnight), with a margin on each side. */
  constructor(startMs: number, days: number, marginDays = 8) {
    this.firstDayMs = startMs - marginDays * MS_PER_DAY;
    secondsOfDay ??= Array.from({ length: 86_400 }, (_, i) => {
      const h = Math.floor(i / 3600);
      const m = Math.floor((i % 3600) / 60);
      return PAD2[h] + ':' + PAD2[m] + ':' + PAD2[i % 60] + '.';
    });
    this.prefixes = Array.from(
      { length: days + 2 * marginDays },
      (_, i) => new Date(this.firstDayMs + i * MS_PER_DAY).toISOString().slice(0, 11),
    );
  }

  /** `2025-01-31T23:59:59.123Z` for an integer `ms`. */
  utc(ms: number): string {
    const dayIndex = Math.floor((ms - this.firstDayMs) / MS_PER_DAY);
    const prefix = this.prefixes[dayIndex];
    if (prefix === undefined) return new Date(ms).toISOString();
    const t = ms - this.firstDayMs - dayIndex * MS_PER_DAY;
    const second = Math.floor(t / 1000);
    return prefix + secondsOfDay![second] + MILLIS_Z[t - second * 1000];
  }

  /** The same instant written as local time with its offset, e.g. `2025-02-01T08:59:59.123+09:00`. */
  withOffset(ms: number, offsetMinutes: number): string {
    if (offsetMinutes === 0) return this.utc(ms).slice(0, -1) + '+00:00';
    const local = this.utc(ms + offsetMinutes * 60_000).slice(0, -1);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return local + sign + PAD2[Math.floor(abs / 60)] + ':' + PAD2[abs % 60];
  }
}
