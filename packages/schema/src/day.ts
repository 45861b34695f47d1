/** A UTC calendar day written `YYYY-MM-DD`. Branded so a random string cannot pass for one. */
export type Day = string & { readonly __brand: 'Day' };

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses and checks a `YYYY-MM-DD` string; returns null when it is not a real calendar day. */
export function parseDay(text: string): Day | null {
  const m = DAY_RE.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || dayOf(ms) !== text) return null;
  return text as Day;
}

/** The UTC day that contains the instant `ms`. */
export function dayOf(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10) as Day;
}

/** Milliseconds of 00:00 UTC of `day`. */
export function dayStartMs(day: Day): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function addDays(day: Day, n: number): Day {
  return dayOf(dayStartMs(day) + n * DAY_MS);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((dayStartMs(b) - dayStartMs(a)) / DAY_MS);
}

/** Every day from `from` to `to`, both inclusive. */
export function eachDay(from: Day, to: Day): Day[] {
  const out: Day[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const MS_PER_DAY = DAY_MS;
