/**
 * The metrics of metrics.md computed the obvious way, in plain TypeScript over the stored events: an
 * independent reference for the SQL of both precisions (it shares no code with them). Conventions
 * for which points exist follow the query functions' doc comments.
 */
import type {
  ActiveUsersPoint,
  CrashRatePoint,
  DateRange,
  Dimension,
  FeatureAdoption,
  Granularity,
  LatencyPoint,
  RetentionCohort,
  SegmentFilter,
} from '@telemetry/schema';
import type { ValidEvent } from './dataset.ts';

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysFrom = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

export function matches(e: ValidEvent, f: SegmentFilter = {}): boolean {
  const ok = (list: readonly string[] | null | undefined, v: string) => !list || list.length === 0 || list.includes(v);
  return ok(f.products, e.productId) && ok(f.appVersions, e.appVersion) && ok(f.os, e.os) && ok(f.countries, e.country) && ok(f.licenseTypes, e.licenseType);
}

export function segmentOf(e: ValidEvent, b: Dimension | null | undefined): string | null {
  switch (b) {
    case 'PRODUCT':
      return e.productId;
    case 'APP_VERSION':
      return e.appVersion;
    case 'OS':
      return e.os;
    case 'COUNTRY':
      return e.country;
    case 'LICENSE_TYPE':
      return e.licenseType;
    default:
      return null;
  }
}

/** First day of the period holding `day`: ISO week (Monday) or calendar month. */
export function periodOf(g: Granularity, day: string): string {
  if (g === 'DAY') return day;
  if (g === 'MONTH') return `${day.slice(0, 7)}-01`;
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

const userKey = (e: ValidEvent) => `${e.productId}\u001f${e.userId}`;
const sessionKey = (e: ValidEvent) => `${e.productId}\u001f${e.sessionId}`;

export function refActiveUsers(events: readonly ValidEvent[], range: DateRange, filter: SegmentFilter = {}, breakdown: Dimension | null = null): ActiveUsersPoint[] {
  const look = addDays(range.from, -29);
  const ev = events.filter((e) => matches(e, filter) && e.day >= look && e.day <= range.to);
  const segments = breakdown ? [...new Set(ev.map((e) => segmentOf(e, breakdown)!))].sort() : [null];
  // (segment, day) -> users
  const byDay = new Map<string, Set<string>>();
  for (const e of ev) {
    const k = `${segmentOf(e, breakdown)}|${e.day}`;
    let set = byDay.get(k);
    if (!set) byDay.set(k, (set = new Set()));
    set.add(userKey(e));
  }
  const union = (seg: string | null, day: string, w: number) => {
    const u = new Set<string>();
    for (let i = 0; i < w; i++) for (const x of byDay.get(`${seg}|${addDays(day, -i)}`) ?? []) u.add(x);
    return u.size;
  };
  const out: ActiveUsersPoint[] = [];
  for (const day of daysFrom(range.from, range.to)) {
    for (const segment of segments) {
      const [dau, wau, mau] = [1, 7, 30].map((w) => union(segment, day, w));
      out.push({ day: day as never, segment, dau, wau, mau, stickiness: mau > 0 ? dau / mau : 0 });
    }
  }
  return out;
}

export function quantileCont(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function refLatency(
  events: readonly ValidEvent[],
  range: DateRange,
  metric: string,
  g: Granularity,
  filter: SegmentFilter = {},
  breakdown: Dimension | null = null,
): LatencyPoint[] {
  const groups = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== 'performance' || e.name !== metric || e.value === null || !matches(e, filter)) continue;
    if (e.day < range.from || e.day > range.to) continue;
    const k = `${periodOf(g, e.day)}|${segmentOf(e, breakdown) ?? ''}|${breakdown ? 1 : 0}`;
    const list = groups.get(k) ?? [];
    list.push(e.value);
    groups.set(k, list);
  }
  return [...groups.entries()]
    .map(([k, values]) => {
      const [period, seg] = k.split('|');
      const s = values.sort((a, b) => a - b);
      return {
        period: period as never,
        segment: breakdown ? seg : null,
        count: s.length,
        p50: quantileCont(s, 0.5),
        p90: quantileCont(s, 0.9),
        p95: quantileCont(s, 0.95),
        p99: quantileCont(s, 0.99),
      };
    })
    .sort((a, b) => (a.period !== b.period ? (a.period < b.period ? -1 : 1) : (a.segment ?? '') < (b.segment ?? '') ? -1 : 1));
}

export function refCrashRate(
  events: readonly ValidEvent[],
  range: DateRange,
  g: Granularity,
  filter: SegmentFilter = {},
  breakdown: Dimension | null = null,
): CrashRatePoint[] {
  const ev = events.filter((e) => matches(e, filter) && e.day >= range.from && e.day <= range.to);
  const segments = breakdown ? [...new Set(ev.map((e) => segmentOf(e, breakdown)!))].sort() : [null];
  const periods = [...new Set(daysFrom(range.from, range.to).map((d) => periodOf(g, d)))];
  const cells = new Map<string, { s: Set<string>; cs: Set<string>; c: number; u: Set<string>; cu: Set<string> }>();
  for (const e of ev) {
    const k = `${periodOf(g, e.day)}|${segmentOf(e, breakdown)}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { s: new Set(), cs: new Set(), c: 0, u: new Set(), cu: new Set() }));
    c.s.add(sessionKey(e));
    c.u.add(userKey(e));
    if (e.type === 'crash') {
      c.c++;
      c.cs.add(sessionKey(e));
      c.cu.add(userKey(e));
    }
  }
  const out: CrashRatePoint[] = [];
  for (const period of periods) {
    for (const segment of segments) {
      const c = cells.get(`${period}|${segment}`);
      const sessions = c?.s.size ?? 0;
      const crashedSessions = c?.cs.size ?? 0;
      const activeUsers = c?.u.size ?? 0;
      const crashedUsers = c?.cu.size ?? 0;
      out.push({
        period: period as never,
        segment,
        sessions,
        crashedSessions,
        crashRate: sessions > 0 ? crashedSessions / sessions : 0,
        crashes: c?.c ?? 0,
        activeUsers,
        crashedUsers,
        crashFreeUsersRate: activeUsers > 0 ? 1 - crashedUsers / activeUsers : 1,
      });
    }
  }
  return out;
}

/**
 * Feature adoption. `firstUse`: 'filtered' = the contract (a user's first use among the filtered
 * events); 'product' = the documented approximation for segment filters (first use over all events
 * of the product, counted when that event matches the filter).
 */
export function refFeatureAdoption(
  events: readonly ValidEvent[],
  range: DateRange,
  filter: SegmentFilter = {},
  features: readonly string[] | null = null,
  firstUse: 'filtered' | 'product' = 'filtered',
): FeatureAdoption[] {
  const F = events.filter((e) => matches(e, filter));
  const inRange = (e: ValidEvent) => e.day >= range.from && e.day <= range.to;
  const active = new Set(F.filter(inRange).map(userKey)).size;
  const uses = F.filter((e) => e.type === 'feature_used' && e.name !== null);
  const names = features ? [...new Set(features)] : [...new Set(uses.filter(inRange).map((e) => e.name!))];
  const firstEver = new Map<string, ValidEvent>(); // (feature, user) -> first use (all events of the product)
  for (const e of events) {
    if (e.type !== 'feature_used' || e.name === null) continue;
    const k = `${e.name}|${userKey(e)}`;
    const prev = firstEver.get(k);
    if (!prev || e.tsMs < prev.tsMs) firstEver.set(k, e);
  }
  const out: FeatureAdoption[] = [];
  for (const name of names.sort()) {
    const mine = uses.filter((e) => e.name === name);
    if (mine.length === 0) continue;
    const firstSeen = mine.reduce((m, e) => (e.day < m ? e.day : m), mine[0].day);
    const days = new Map<string, Set<string>>();
    let count = 0;
    for (const e of mine.filter(inRange)) {
      count++;
      const set = days.get(userKey(e)) ?? new Set();
      set.add(e.day);
      days.set(userKey(e), set);
    }
    const adopters = days.size;
    const repeat = [...days.values()].filter((s) => s.size >= 2).length;
    const gaps: number[] = [];
    if (firstUse === 'filtered') {
      const first = new Map<string, string>();
      for (const e of mine) {
        const p = first.get(userKey(e));
        if (!p || e.day < p) first.set(userKey(e), e.day);
      }
      for (const d of first.values()) if (d >= range.from && d <= range.to) gaps.push((Date.parse(d) - Date.parse(firstSeen)) / DAY_MS);
    } else {
      for (const [k, e] of firstEver) {
        if (k.split('|')[0] !== name || !matches(e, filter) || !inRange(e)) continue;
        gaps.push((Date.parse(e.day) - Date.parse(firstSeen)) / DAY_MS);
      }
    }
    gaps.sort((a, b) => a - b);
    out.push({
      feature: name,
      activeUsers: active,
      adopters,
      adoptionRate: active > 0 ? adopters / active : 0,
      uses: count,
      repeatAdopters: repeat,
      firstSeen: firstSeen as never,
      medianDaysToFirstUse: gaps.length > 0 ? quantileCont(gaps, 0.5) : null,
    });
  }
  return out;
}

/**
 * Retention cohorts. `members`: 'filtered' = the contract (first-seen and activity over the filtered
 * events); 'first-event' = the documented semantics for segment filters (a user belongs to the cohort
 * of its first event of the product when that event matches the filter; any event of the product
 * counts as activity).
 */
export function refRetention(
  events: readonly ValidEvent[],
  range: DateRange,
  g: Granularity,
  periods: number,
  today: string,
  filter: SegmentFilter = {},
  members: 'filtered' | 'first-event' = 'filtered',
): RetentionCohort[] {
  const first = new Map<string, ValidEvent>();
  const activity = new Map<string, Set<string>>();
  for (const e of events) {
    if (members === 'filtered' && !matches(e, filter)) continue;
    const k = userKey(e);
    const p = first.get(k);
    if (!p || e.tsMs < p.tsMs) first.set(k, e);
    const set = activity.get(k) ?? new Set();
    set.add(periodOf(g, e.day));
    activity.set(k, set);
  }
  const todayPeriod = periodOf(g, today);
  const next = (p: string) => (g === 'DAY' ? addDays(p, 1) : g === 'WEEK' ? addDays(p, 7) : periodOf('MONTH', addDays(p, 32)));
  const out: RetentionCohort[] = [];
  for (let c = periodOf(g, range.from); c <= range.to && c <= todayPeriod; c = next(c)) {
    if (c < range.from) continue;
    const users = [...first.entries()].filter(([, e]) => periodOf(g, e.day) === c && (members === 'filtered' || matches(e, filter)));
    const retained: number[] = [];
    for (let p = c; p <= todayPeriod && retained.length < periods; p = next(p)) {
      retained.push(users.filter(([k]) => activity.get(k)!.has(p)).length);
    }
    out.push({ cohort: c as never, size: retained[0], retained, rates: retained.map((r) => (retained[0] > 0 ? r / retained[0] : 0)) });
  }
  return out;
}
