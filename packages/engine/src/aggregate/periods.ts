import { type Day, type Granularity, MS_PER_DAY } from '@telemetry/schema';

/**
 * Days as integers (days since 1970-01-01, the same number as DuckDB's `day - DATE '1970-01-01'`)
 * and the periods of each granularity. WEEK is the ISO week (Monday first), MONTH the calendar
 * month; a period is named by its first day.
 */
export type DayIndex = number;

export function dayIndex(day: Day): DayIndex {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY);
}

export function dayFromIndex(index: DayIndex): Day {
  return new Date(index * MS_PER_DAY).toISOString().slice(0, 10) as Day;
}

/** 1970-01-01 was a Thursday: (index + 3) mod 7 is 0 on Mondays. */
export function weekStart(index: DayIndex): DayIndex {
  return index - (((index + 3) % 7) + 7) % 7;
}

export function monthStart(index: DayIndex): DayIndex {
  const d = new Date(index * MS_PER_DAY);
  return Math.round(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / MS_PER_DAY);
}

export function periodStart(g: Granularity, index: DayIndex): DayIndex {
  return g === 'DAY' ? index : g === 'WEEK' ? weekStart(index) : monthStart(index);
}

/** First day of the period after the one starting at `start`. */
export function nextPeriod(g: Granularity, start: DayIndex): DayIndex {
  if (g === 'DAY') return start + 1;
  if (g === 'WEEK') return start + 7;
  const d = new Date(start * MS_PER_DAY);
  return Math.round(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / MS_PER_DAY);
}

/** The periods overlapping [from, to], each clipped to the range: [start, clippedFrom, clippedTo]. */
export function periodsOf(g: Granularity, from: DayIndex, to: DayIndex): { start: DayIndex; from: DayIndex; to: DayIndex }[] {
  const out: { start: DayIndex; from: DayIndex; to: DayIndex }[] = [];
  for (let s = periodStart(g, from); s <= to; s = nextPeriod(g, s)) {
    out.push({ start: s, from: Math.max(s, from), to: Math.min(nextPeriod(g, s) - 1, to) });
  }
  return out;
}

/** Granularity codes stored in aggregate tables. */
export const GRANULARITY_CODE = { DAY: 0, WEEK: 1, MONTH: 2 } as const;

/** SQL: the first day of the period containing the DATE `day`, for a granularity code expression. */
export function periodStartSql(codeExpr: string, day: string): string {
  return `(CASE ${codeExpr} WHEN 0 THEN ${day} WHEN 1 THEN date_trunc('week', ${day})::DATE ELSE date_trunc('month', ${day})::DATE END)`;
}

/** SQL: the day index of a DATE expression. */
export function dayIndexSql(day: string): string {
  return `(${day} - DATE '1970-01-01')::INTEGER`;
}
