import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { wireEventProblem } from './event-check.ts';
import {
  emptyFleetStats,
  fleetBatches,
  generateFleet,
  planFleet,
  writeFleetNdjson,
  type FleetOptions,
  type FleetStats,
} from './generator.ts';

const END_DAY = '2025-06-30';
const OPTIONS: FleetOptions = { seed: 42, events: 200_000, days: 60, endDay: END_DAY };
const DAY_MS = 86_400_000;

function dayOf(timestamp: string): string {
  return new Date(Date.parse(timestamp)).toISOString().slice(0, 10);
}

function streamDigest(options: FleetOptions): string {
  const hash = createHash('sha256');
  for (const item of generateFleet(options)) hash.update(JSON.stringify(item)).update('\n');
  return hash.digest('hex');
}

/** One pass over a 200k-event fleet, collecting what the shape tests assert on. */
interface Observed {
  stats: FleetStats;
  emitted: number;
  valid: number;
  problems: number;
  resent: number;
  resentMismatch: number;
  missingRequired: string[];
  badIds: string[];
  offsetTimestamps: number;
  outOfRange: number;
  featureBeforeRelease: string[];
  featureDays: Map<string, string>;
  sessionsByVersion: Map<string, number>;
  crashSessionsByVersion: Map<string, number>;
  eventsByUser: Map<string, number>;
  userDays: Map<string, Set<number>>;
  startupByOs: Map<string, number[]>;
  versionsByWeek: Map<number, Map<string, number>>;
  sessionEndMismatch: number;
  sessionEndChecked: number;
  types: Map<string, number>;
  maxDayBehind: number;
  propertiesEvents: number;
  withIp: number;
}

function observe(options: FleetOptions): Observed {
  const plan = planFleet(options);
  const release = new Map(plan.features.map((f) => [f.name, f.releaseDay as string]));
  const stats = emptyFleetStats();
  const seen = new Map<string, string>();
  const sessionStart = new Map<string, number>();
  const o: Observed = {
    stats,
    emitted: 0,
    valid: 0,
    problems: 0,
    resent: 0,
    resentMismatch: 0,
    missingRequired: [],
    badIds: [],
    offsetTimestamps: 0,
    outOfRange: 0,
    featureBeforeRelease: [],
    featureDays: new Map(),
    sessionsByVersion: new Map(),
    crashSessionsByVersion: new Map(),
    eventsByUser: new Map(),
    userDays: new Map(),
    startupByOs: new Map(),
    versionsByWeek: new Map(),
    sessionEndMismatch: 0,
    sessionEndChecked: 0,
    types: new Map(),
    maxDayBehind: 0,
    propertiesEvents: 0,
    withIp: 0,
  };
  const startMs = Date.parse(`${plan.startDay}T00:00:00Z`);
  const endMs = Date.parse(`${plan.endDay}T00:00:00Z`) + DAY_MS;
  let maxDayIndex = 0;
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

  for (const item of generateFleet({ ...options, stats })) {
    o.emitted++;
    if (wireEventProblem(item) !== null) {
      o.problems++;
      continue;
    }
    o.valid++;
    const e = item as Record<string, any>;
    const key = `${e.productId}/${e.eventId}`;
    const json = JSON.stringify(e);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      o.resent++;
      if (earlier !== json) o.resentMismatch++;
      continue;
    }
    seen.set(key, json);

    for (const f of ['eventId', 'timestamp', 'type', 'productId', 'userId', 'sessionId', 'appVersion', 'os', 'osVersion', 'country', 'licenseType']) {
      if (e[f] === undefined) o.missingRequired.push(`${f} of ${e.eventId}`);
    }
    if (!/^u-\d{6,}$/.test(e.userId) || !e.sessionId.startsWith(`${e.userId}-s`) || !/^.+-\d+$/.test(e.eventId) || !e.eventId.startsWith(`${e.sessionId}-`)) {
      o.badIds.push(e.eventId);
    }
    if (!e.timestamp.endsWith('Z')) o.offsetTimestamps++;
    if (e.properties) o.propertiesEvents++;
    if (e.ip) o.withIp++;
    const ms = Date.parse(e.timestamp);
    if (ms < startMs || ms >= endMs) o.outOfRange++;
    const dayIndex = Math.floor((ms - startMs) / DAY_MS);
    maxDayIndex = Math.max(maxDayIndex, dayIndex);
    o.maxDayBehind = Math.max(o.maxDayBehind, maxDayIndex - dayIndex);
    bump(o.types, e.type);
    bump(o.eventsByUser, `${e.productId}/${e.userId}`);
    let days = o.userDays.get(`${e.productId}/${e.userId}`);
    if (!days) o.userDays.set(`${e.productId}/${e.userId}`, (days = new Set()));
    days.add(dayIndex);

    if (e.type === 'feature_used') {
      const day = dayOf(e.timestamp);
      if (day < release.get(e.name)!) o.featureBeforeRelease.push(`${e.name} on ${day}`);
      const first = o.featureDays.get(e.name);
      if (first === undefined || day < first) o.featureDays.set(e.name, day);
    } else if (e.type === 'session_start') {
      bump(o.sessionsByVersion, e.appVersion);
      sessionStart.set(`${e.productId}/${e.sessionId}`, ms);
      const week = Math.floor(dayIndex / 7);
      let versions = o.versionsByWeek.get(week);
      if (!versions) o.versionsByWeek.set(week, (versions = new Map()));
      bump(versions, e.appVersion);
    } else if (e.type === 'crash') {
      bump(o.crashSessionsByVersion, e.appVersion);
    } else if (e.type === 'performance' && e.name === 'startup') {
      let values = o.startupByOs.get(e.os);
      if (!values) o.startupByOs.set(e.os, (values = []));
      values.push(e.value);
    } else if (e.type === 'session_end') {
      const start = sessionStart.get(`${e.productId}/${e.sessionId}`);
      if (start !== undefined) {
        o.sessionEndChecked++;
        if (e.value !== ms - start) o.sessionEndMismatch++;
      }
    }
  }
  return o;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('generateFleet', () => {
  let o: Observed;
  beforeAll(() => {
    o = observe(OPTIONS);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const small = { seed: 7, events: 30_000, days: 30, endDay: END_DAY };
    expect(streamDigest(small)).toBe(streamDigest(small));
    expect(streamDigest({ ...small, seed: 8 })).not.toBe(streamDigest(small));
  });

  it('emits exactly the requested number of items, in batches of the requested size', () => {
    expect(o.emitted).toBe(OPTIONS.events);
    expect(o.stats.emitted).toBe(OPTIONS.events);
    const sizes = [...fleetBatches({ ...OPTIONS, events: 25_001 }, 10_000)].map((b) => b.length);
    expect(sizes).toEqual([10_000, 10_000, 5_001]);
  });

  it('writes every valid event with the fields of ingest.md and compressible ids', () => {
    expect(o.missingRequired.slice(0, 5)).toEqual([]);
    expect(o.badIds.slice(0, 5)).toEqual([]);
    expect(o.outOfRange).toBe(0);
    expect([...o.types.keys()].sort()).toEqual(
      ['crash', 'error', 'feature_used', 'interaction', 'performance', 'session_end', 'session_start'],
    );
    // A few percent of timestamps carry a local offset (the same instant).
    expect(o.offsetTimestamps / o.valid).toBeGreaterThan(0.01);
    expect(o.offsetTimestamps / o.valid).toBeLessThan(0.12);
    expect(o.propertiesEvents / o.valid).toBeGreaterThan(0.05);
    expect(o.withIp).toBeGreaterThan(0);
  });

  it('ends every completed session with its length in ms', () => {
    expect(o.sessionEndChecked).toBeGreaterThan(5_000);
    expect(o.sessionEndMismatch).toBe(0);
  });

  it('never uses a feature before its release day, and releases features across the range', () => {
    expect(o.featureBeforeRelease.slice(0, 5)).toEqual([]);
    const plan = planFleet(OPTIONS);
    const released = plan.features.filter((f) => f.releaseIndex > 0);
    expect(released.length).toBeGreaterThan(10);
    // Most later features are first seen within a few days of their release.
    const prompt = released.filter((f) => {
      const first = o.featureDays.get(f.name);
      return first !== undefined && Date.parse(first) - Date.parse(f.releaseDay) <= 3 * DAY_MS;
    });
    expect(prompt.length).toBeGreaterThan(released.length / 2);
  });

  it('crashes far more often on the bad version', () => {
    const plan = planFleet(OPTIONS);
    const rate = (v: string): number => (o.crashSessionsByVersion.get(v) ?? 0) / (o.sessionsByVersion.get(v) ?? 1);
    let otherSessions = 0;
    let otherCrashes = 0;
    for (const [v, sessions] of o.sessionsByVersion) {
      if (v === plan.badVersion) continue;
      otherSessions += sessions;
      otherCrashes += o.crashSessionsByVersion.get(v) ?? 0;
    }
    expect(o.sessionsByVersion.get(plan.badVersion)).toBeGreaterThan(300);
    expect(rate(plan.badVersion)).toBeGreaterThan(5 * (otherCrashes / otherSessions));
  });

  it('moves users to newer versions over time', () => {
    const weeks = [...o.versionsByWeek.keys()].sort((a, b) => a - b);
    const share = (week: number, version: string): number => {
      const m = o.versionsByWeek.get(week)!;
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      return (m.get(version) ?? 0) / total;
    };
    expect(share(weeks[0], '2.9.4')).toBeGreaterThan(0.8);
    expect(share(weeks[weeks.length - 1], '3.2.0')).toBeGreaterThan(0.4);
  });

  it('has power-law activity, churn and returning users, and startup latency by OS', () => {
    const counts = [...o.eventsByUser.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 100)).reduce((a, b) => a + b, 0);
    expect(top / o.valid).toBeGreaterThan(0.08);
    // Returning users: some users are absent for two weeks or more and then active again.
    let returning = 0;
    for (const days of o.userDays.values()) {
      const sorted = [...days].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i] - sorted[i - 1] >= 14) {
          returning++;
          break;
        }
      }
    }
    expect(returning).toBeGreaterThan(20);
    const w = median(o.startupByOs.get('windows')!);
    const m = median(o.startupByOs.get('macos')!);
    const l = median(o.startupByOs.get('linux')!);
    expect(w).toBeGreaterThan(m);
    expect(m).toBeGreaterThan(l);
  });

  it('mixes late, re-sent and malformed items at about the configured fractions', () => {
    const n = o.emitted;
    expect(o.stats.late / n).toBeGreaterThan(0.03 * 0.7);
    expect(o.stats.late / n).toBeLessThan(0.03 * 1.3);
    // Late sessions are held back up to 5 days (plus a day for sessions crossing midnight).
    expect(o.maxDayBehind).toBeGreaterThanOrEqual(3);
    expect(o.maxDayBehind).toBeLessThanOrEqual(6);
    // Every re-send is byte-identical to its original; the count seen matches the generator's.
    expect(o.resentMismatch).toBe(0);
    expect(o.resent / n).toBeGreaterThan(0.005 * 0.7);
    expect(o.resent / n).toBeLessThan(0.005 * 1.3);
    expect(o.problems).toBe(o.stats.malformed);
    expect(o.problems / n).toBeGreaterThan(0.001 * 0.6);
    expect(o.problems / n).toBeLessThan(0.001 * 1.4);
  });

  it('rejects nonsense options with a message naming the option', () => {
    expect(() => planFleet({ products: ['bad product'] })).toThrow(/product id/);
    expect(() => planFleet({ endDay: '2025-02-30' })).toThrow(/endDay/);
    expect(() => planFleet({ lateFraction: 2 })).toThrow(/lateFraction/);
  });

  it('keeps memory flat over 2M events', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const stats = emptyFleetStats();
    let heapAtQuarter = 0;
    let n = 0;
    const started = performance.now();
    for (const batch of fleetBatches({ seed: 3, events: 2_000_000, days: 30, endDay: END_DAY, stats }, 10_000)) {
      n += batch.length;
      if (n === 500_000) {
        gc();
        heapAtQuarter = process.memoryUsage().heapUsed;
      }
    }
    gc();
    const growthMb = (process.memoryUsage().heapUsed - heapAtQuarter) / 1e6;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `2M events in ${seconds.toFixed(2)} s (${(n / seconds / 1e6).toFixed(2)}M events/s), ` +
        `heap growth after the first quarter ${growthMb.toFixed(1)} MB, peak held back ${stats.peakPending}`,
    );
    expect(n).toBe(2_000_000);
    expect(growthMb).toBeLessThan(24);
    expect(stats.peakPending).toBeLessThan(40_000);
  });
});

describe('writeFleetNdjson', () => {
  it('writes one JSON object per line, the same stream as the generator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-'));
    try {
      const path = join(dir, 'fleet.ndjson');
      const options = { seed: 9, events: 5_000, days: 10, endDay: END_DAY };
      const progress: number[] = [];
      const result = await writeFleetNdjson(options, path, { chunkEvents: 2_000, onProgress: (n) => progress.push(n) });
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      expect(lines).toHaveLength(5_000);
      expect(result.events).toBe(5_000);
      expect(progress).toEqual([2_000, 4_000, 5_000]);
      expect(lines.map((l) => JSON.parse(l))).toEqual([...generateFleet(options)]);
      expect(result.bytes).toBe(Buffer.byteLength(lines.join('\n') + '\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
