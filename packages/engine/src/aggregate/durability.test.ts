import { addDays, type DateRange, type Day, RawDataExpiredError } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forgetCachedAnswers } from '../query/cache.ts';
import { activeUsers, crashRate, featureAdoption, latency, retentionCohorts } from '../query/index.ts';
import { expectDistinct } from '../query/testing/bounds.ts';
import { type Fixture, loadFixture } from '../query/testing/fixture.ts';
import { MetricsHarness } from '../query/testing/harness.ts';
import { matches } from '../query/testing/reference.ts';
import { aggregateSize, exportDailyAggregates, rebuildAggregates } from './index.ts';
import { AGGREGATE_TABLES } from './tables.ts';

let f: Fixture;
let whole: DateRange;
beforeAll(async () => {
  f = await loadFixture();
  whole = { from: f.data.firstDay as Day, to: f.data.today as Day };
});
afterAll(async () => {
  await f.h.close();
});

/** A dashboard's worth of APPROXIMATE answers, recomputed (not from the cache). */
async function dashboard() {
  forgetCachedAnswers(f.h.pool);
  const ctx = f.h.ctx;
  return {
    au: await activeUsers(ctx, { range: whole }),
    auOs: await activeUsers(ctx, { range: whole, filter: { os: ['windows'] }, breakdownBy: 'APP_VERSION' }),
    fa: await featureAdoption(ctx, { range: whole }),
    faUs: await featureAdoption(ctx, { range: whole, filter: { countries: ['US'] } }),
    faEnterprise: await featureAdoption(ctx, { range: whole, filter: { licenseTypes: ['enterprise'] } }),
    lat: await latency(ctx, { range: whole, metric: 'startup', granularity: 'WEEK', breakdownBy: 'OS' }),
    crash: await crashRate(ctx, { range: whole, granularity: 'WEEK', breakdownBy: 'APP_VERSION' }),
    cohorts: await retentionCohorts(ctx, { range: whole, granularity: 'WEEK' }),
    cohortsDay: await retentionCohorts(ctx, { range: whole, granularity: 'DAY', periods: 60, filter: { products: ['alpha'] } }),
  };
}

describe('rebuildAggregates', () => {
  test('recomputing every day from raw gives the same answers', async () => {
    const before = await dashboard();
    const result = await f.h.writer.transaction(() => rebuildAggregates(f.h.writer, whole, f.h.filesSync(whole.from, whole.to)));
    expect(result.days).toBeGreaterThan(50);
    expect(result.events).toBe(f.events.filter((e) => e.day >= whole.from && e.day <= whole.to).length);
    expect(await dashboard()).toEqual(before);
  });

  test('repairs the day-keyed sketches of a day from its raw files', async () => {
    const before = await dashboard();
    const day = addDays(whole.from, 30);
    for (const t of ['hll_users', 'hll_crash_users', 'agg_day', 'dd_latency', 'hll_feature_users']) {
      await f.h.writer.run(`DELETE FROM ${t} WHERE day = $1::DATE`, [day]);
    }
    expect((await dashboard()).crash).not.toEqual(before.crash);
    await f.h.writer.transaction(() => rebuildAggregates(f.h.writer, { from: day, to: day }, f.h.filesSync(day, day)));
    expect(await dashboard()).toEqual(before);
  });
});

test('DAILY_AGGREGATES export: per day and segment, counts exact, distinct counts within bounds', async () => {
  const h = f.h;
  {
    const filter = { os: ['windows', 'macos'] };
    const q = exportDailyAggregates(whole, filter);
    const rows = await h.pool.use((sql) =>
      sql.all<{ day: unknown; productId: string; appVersion: string; os: string; country: string; licenseType: string; events: number; users: number; sessions: number; crashes: number; featureUses: number; latency: { metric: string; count: number; p50: number }[] }>(
        `SELECT day::VARCHAR AS day, * EXCLUDE (day) FROM (${q.sql})`,
        q.params,
      ),
    );
    const expected = new Map<string, { events: number; users: Set<string>; sessions: Set<string>; crashes: number; uses: number; startups: number }>();
    for (const e of f.events.filter((e) => matches(e, filter) && e.day >= whole.from && e.day <= whole.to)) {
      const k = [e.day, e.productId, e.appVersion, e.os, e.country, e.licenseType].join('|');
      const c = expected.get(k) ?? { events: 0, users: new Set(), sessions: new Set(), crashes: 0, uses: 0, startups: 0 };
      c.events++;
      c.users.add(e.userId);
      c.sessions.add(e.sessionId);
      if (e.type === 'crash') c.crashes++;
      if (e.type === 'feature_used') c.uses++;
      if (e.type === 'performance' && e.name === 'startup') c.startups++;
      expected.set(k, c);
    }
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const c = expected.get([r.day, r.productId, r.appVersion, r.os, r.country, r.licenseType].join('|'))!;
      expect(r.events).toBe(c.events);
      expect(r.crashes).toBe(c.crashes);
      expect(r.featureUses).toBe(c.uses);
      expectDistinct(r.users, c.users.size, 'users');
      expectDistinct(r.sessions, c.sessions.size, 'sessions');
      expect(Number(r.latency.find((l) => l.metric === 'startup')?.count ?? 0)).toBe(c.startups);
    }
  }
});

describe('retention: aggregates outlive the raw days', () => {
  test('answers for dropped days stay the same; EXACT is refused for them, look-back included', async () => {
    const before = await dashboard();
    const keptFrom = addDays(whole.from, 20);
    const dropped: Day[] = [];
    for (let d = whole.from; d < keptFrom; d = addDays(d, 1)) dropped.push(d);
    await f.h.dropDays(dropped, keptFrom);
    expect(f.h.filesSync(whole.from, addDays(keptFrom, -1))).toEqual([]);
    expect(await dashboard()).toEqual(before);

    const err = await activeUsers(f.h.ctx, { range: { from: addDays(keptFrom, 10), to: whole.to }, precision: 'EXACT' }).catch((e) => e);
    expect(err).toBeInstanceOf(RawDataExpiredError);
    expect((err as RawDataExpiredError).expiredDays[0]).toBe(addDays(keptFrom, -19));
    await expect(latency(f.h.ctx, { range: whole, metric: 'startup', precision: 'EXACT' })).rejects.toBeInstanceOf(RawDataExpiredError);
    await expect(crashRate(f.h.ctx, { range: { from: keptFrom, to: whole.to }, precision: 'EXACT' })).resolves.toBeDefined();
    await expect(activeUsers(f.h.ctx, { range: { from: addDays(keptFrom, 29), to: whole.to }, precision: 'EXACT' })).resolves.toBeDefined();

    // Late events for a dropped day are discarded (by the loader; the harness does the same).
    expect(await f.h.ingest(f.data.batches[0])).toBe(0);
  });

  test('per-user state is pruned to users seen within the duration; aggregates hold no per-user rows', async () => {
    const keptFrom = addDays(whole.from, 20);
    const stale = await f.h.writer.one<{ n: number }>(`SELECT count(*) AS n FROM state_entity WHERE kind = 1 AND last1 < $1::DATE`, [keptFrom]);
    expect(stale?.n).toBe(0);
    const oldest = await f.h.writer.one<{ d: string | null }>(`SELECT min(day)::VARCHAR AS d FROM state_days`);
    expect(oldest!.d! >= addDays(keptFrom, -31)).toBe(true);
    const columns = await f.h.writer.all<{ table_name: string; column_name: string }>(`SELECT table_name, column_name FROM duckdb_columns()`);
    const aggregateColumns = columns.filter((c) => (AGGREGATE_TABLES as readonly string[]).includes(c.table_name));
    expect(aggregateColumns.length).toBeGreaterThan(20);
    expect(aggregateColumns.filter((c) => !['agg_name', 'agg_dim_value'].includes(c.table_name) && /^(id|user_hash|license_hash|session_id|event_id|first_ts)$/.test(c.column_name))).toEqual([]);
  });

  test('rebuild skips the dropped days and keeps their aggregates', async () => {
    const before = await dashboard();
    const result = await f.h.writer.transaction(() =>
      rebuildAggregates(f.h.writer, whole, f.h.filesSync(whole.from, whole.to), { expiredDays: [...f.h.expired] }),
    );
    expect(result.skippedDays).toEqual([...f.h.expired].sort());
    expect(await dashboard()).toEqual(before);
  });

  test('storage: aggregates and state are measured apart', async () => {
    await f.h.writer.run('CHECKPOINT');
    const size = await aggregateSize(f.h.writer);
    expect(size.aggregateBytes).toBeGreaterThan(0);
    expect(size.stateBytes).toBeGreaterThan(0);
  });
});

test('a user whose state was pruned is new when it comes back', async () => {
  const h = await MetricsHarness.create('2025-03-31');
  try {
    const ev = (id: string, ts: string) => ({
      eventId: id, timestamp: ts, type: 'session_start', productId: 'p', userId: 'u', sessionId: id, os: 'linux',
    });
    await h.ingest([ev('a', '2025-01-06T10:00:00Z'), ev('b', '2025-01-08T10:00:00Z')]);
    await h.dropDays([], '2025-03-01' as Day);
    await h.ingest([ev('c', '2025-03-10T10:00:00Z')]);
    const range = { from: '2025-01-06', to: '2025-03-31' } as DateRange;
    const cohorts = await retentionCohorts(h.ctx, { range, periods: 20 });
    const jan = cohorts.find((c) => c.cohort === '2025-01-06')!;
    const mar = cohorts.find((c) => c.cohort === '2025-03-10')!;
    expect(jan.size).toBe(1);
    expect(jan.retained.reduce((a, b) => a + b, 0)).toBe(1);
    // A new member of March's cohort, not a returning member of January's.
    expect(mar.size).toBe(1);
  } finally {
    await h.close();
  }
});

