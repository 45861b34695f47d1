import { existsSync } from 'node:fs';
import type { DateRange, Day } from '@telemetry/schema';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidWireEvent } from './event-check.ts';
import { emptyFleetStats, fleetBatches, generateFleet, planFleet } from './generator.ts';
import { loadIntoPostgres, runPostgresQueries, startPostgres, type PostgresServer } from './postgres-peer.ts';
import { pgActiveUsers, pgCrashRate, pgLatency, pgRetentionCohorts } from './postgres-queries.ts';
import { percentile } from './stats.ts';

// The peer may only be skipped where PostgreSQL is not installed; here it is, so these tests must run it.
const POSTGRES_INSTALLED =
  existsSync('/usr/lib/postgresql') || existsSync('/usr/local/bin/postgres') || existsSync('/usr/bin/postgres');

const FLEET = { seed: 11, events: 60_000, days: 35, endDay: '2025-06-30' };
const RANGE: DateRange = { from: '2025-06-01' as Day, to: '2025-06-30' as Day };

interface Expected {
  stored: number;
  dau: Map<string, Set<string>>;
  crashesByDay: Map<string, number>;
  startupByDay: Map<string, number[]>;
  firstSeen: Map<string, string>;
}

/** The same metrics computed in JS from the stream: the oracle for the SQL. */
function expectedFromStream(): Expected {
  const seen = new Set<string>();
  const x: Expected = { stored: 0, dau: new Map(), crashesByDay: new Map(), startupByDay: new Map(), firstSeen: new Map() };
  for (const item of generateFleet(FLEET)) {
    if (!isValidWireEvent(item)) continue;
    const e = item as Record<string, any>;
    const key = `${e.productId}/${e.eventId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    x.stored++;
    const day = new Date(Date.parse(e.timestamp)).toISOString().slice(0, 10);
    const user = `${e.productId}/${e.userId}`;
    if (!x.dau.has(day)) x.dau.set(day, new Set());
    x.dau.get(day)!.add(user);
    const first = x.firstSeen.get(user);
    if (first === undefined || day < first) x.firstSeen.set(user, day);
    if (e.type === 'crash') x.crashesByDay.set(day, (x.crashesByDay.get(day) ?? 0) + 1);
    if (e.type === 'performance' && e.name === 'startup') {
      if (!x.startupByDay.has(day)) x.startupByDay.set(day, []);
      x.startupByDay.get(day)!.push(e.value);
    }
  }
  return x;
}

describe.skipIf(!POSTGRES_INSTALLED)('PostgreSQL peer', () => {
  let server: PostgresServer;
  let client: pg.Client;
  let expected: Expected;

  beforeAll(async () => {
    const started = await startPostgres();
    if ('skipped' in started) throw new Error(`PostgreSQL is installed but the peer skipped: ${started.skipped}`);
    server = started;
    client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    expected = expectedFromStream();
  });

  afterAll(async () => {
    await client?.end();
    await server?.stop();
    if (server) expect(existsSync(server.host)).toBe(false);
  });

  it('listens only on a Unix socket in its own temp directory', async () => {
    const { rows } = await client.query(
      `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets,
              current_setting('fsync') AS fsync`,
    );
    expect(rows[0]).toEqual({ listen: '', sockets: server.host, fsync: 'on' });
    expect(server.version).toMatch(/PostgreSQL/);
  });

  it('loads the fleet with unnest inserts, storing each event once and leaving out malformed items', async () => {
    const stats = emptyFleetStats();
    const load = await loadIntoPostgres(client, fleetBatches({ ...FLEET, stats }, 5_000));
    console.log(
      `postgres unnest load: ${load.items} items in ${load.ms.toFixed(0)} ms (${load.sourceMs.toFixed(0)} ms of it generating) ` +
        `= ${Math.round(load.eventsPerSec)} events/s; analyze ${load.analyzeMs.toFixed(0)} ms`,
    );
    expect(load.items).toBe(FLEET.events);
    expect(load.invalid).toBe(stats.malformed);
    expect(load.duplicates).toBe(stats.duplicates);
    expect(load.stored).toBe(expected.stored);
    const { rows } = await client.query('SELECT count(*)::int AS n, count(DISTINCT (product_id, event_id))::int AS ids FROM events');
    expect(rows[0]).toEqual({ n: expected.stored, ids: expected.stored });
  });

  it('answers DAU, crashes, latency and retention like the JS oracle', async () => {
    const points = await pgActiveUsers(client, { range: RANGE });
    expect(points).toHaveLength(30);
    for (const p of points) expect(p.dau).toBe(expected.dau.get(p.day)?.size ?? 0);
    // WAU of the last day: the union of its 7 days.
    const last = points[points.length - 1];
    const week = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const day = new Date(Date.parse(`${RANGE.to}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10);
      for (const u of expected.dau.get(day) ?? []) week.add(u);
    }
    expect(last.wau).toBe(week.size);

    const crashes = await pgCrashRate(client, { range: RANGE });
    for (const c of crashes) expect(c.crashes).toBe(expected.crashesByDay.get(c.period) ?? 0);

    const latency = await pgLatency(client, { range: RANGE, metric: 'startup' });
    for (const l of latency) {
      expect(l.p95).toBeCloseTo(percentile(expected.startupByDay.get(l.period)!, 0.95), 6);
    }

    const cohorts = await pgRetentionCohorts(client, { range: RANGE, granularity: 'WEEK', periods: 12 });
    const weekOf = (day: string): string => {
      const ms = Date.parse(`${day}T00:00:00Z`);
      const monday = ms - ((new Date(ms).getUTCDay() + 6) % 7) * 86_400_000;
      return new Date(monday).toISOString().slice(0, 10);
    };
    const sizes = new Map<string, number>();
    for (const first of expected.firstSeen.values()) {
      const w = weekOf(first);
      if (w >= RANGE.from && w <= RANGE.to) sizes.set(w, (sizes.get(w) ?? 0) + 1);
    }
    expect(cohorts.map((c) => [c.cohort, c.size])).toEqual([...sizes].sort());
    for (const c of cohorts) {
      expect(c.retained[0]).toBe(c.size);
      // Each cohort's list ends with the week holding "today" (range.to).
      expect(c.retained).toHaveLength(Math.min(12, Math.round((Date.parse(weekOf(RANGE.to)) - Date.parse(c.cohort)) / (7 * 86_400_000)) + 1));
    }
  });

  it('times the whole dashboard query set', async () => {
    const run = await runPostgresQueries(client, RANGE, { today: planFleet(FLEET).endDay });
    console.log(`postgres queries (${run.timings.length}): p95 ${run.p95Ms.toFixed(1)} ms`);
    expect(run.timings).toHaveLength(12);
    for (const t of run.timings) expect(t.rows).toBeGreaterThan(0);
    expect(run.p95Ms).toBeGreaterThan(0);
    expect(Object.keys(run.results)).toHaveLength(12);
  });

  it('loads the same rows through COPY into a staging table', async () => {
    await client.query('DROP TABLE events');
    const load = await loadIntoPostgres(client, fleetBatches(FLEET, 5_000), { method: 'copy' });
    console.log(`postgres copy load: ${load.items} items, ${Math.round(load.eventsPerSec)} events/s`);
    expect(load.stored).toBe(expected.stored);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM events WHERE name LIKE 'FileNotFound: C:%'`);
    // Backslashes survive the COPY text format.
    const { rows: sample } = await client.query(`SELECT name FROM events WHERE name LIKE 'FileNotFound: C:%' LIMIT 1`);
    if (rows[0].n > 0) expect(sample[0].name).toBe('FileNotFound: C:\\Users\\alice\\Documents\\plan.docx');
  });
});
