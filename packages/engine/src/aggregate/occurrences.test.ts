import type { DateRange, Day, SegmentFilter } from '@telemetry/schema';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { activeUsers, crashRate, featureAdoption, retentionCohorts } from '../query/index.ts';
import { storedEvents, type WireEvent } from '../query/testing/dataset.ts';
import { MetricsHarness } from '../query/testing/harness.ts';
import { refActiveUsers, refCrashRate, refFeatureAdoption, refRetention } from '../query/testing/reference.ts';

const FIRST = Date.parse('2025-01-06T00:00:00Z'); // a Monday
const DAYS = 24;
const day = (n: number) => new Date(FIRST + n * 86_400_000).toISOString().slice(0, 10) as Day;

/** One event: who, which day, which app version (the segment), and what. */
const eventArb = fc.record({
  user: fc.nat(4),
  day: fc.nat(DAYS - 1),
  version: fc.constantFrom('1', '2', '3'),
  // Each user has an OS and a license type, and now and then an event with the other one: its
  // (user, feature) pairs turn mixed mid-run, the others stay pure.
  otherOs: fc.nat(11).map((n) => n === 0),
  otherLicense: fc.nat(11).map((n) => n === 0),
  what: fc.constantFrom('session_start', 'feature_used:a', 'feature_used:b', 'crash'),
});

/**
 * The exact cells must come out the same whatever the arrival order: events of a scenario are cut
 * into batches in a random order (so late events land between, before and after known days, and a
 * user's first event may arrive last), then every exact answer is compared with the reference.
 */
test('exact cells do not depend on arrival order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(eventArb, { minLength: 1, maxLength: 80 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
      fc.nat(1000),
      fc.tuple(fc.nat(DAYS - 1), fc.nat(DAYS - 1)),
      async (spec, cuts, shuffleSeed, [x, y]) => {
        const events: WireEvent[] = spec.map((s, i) => {
          const [type, name] = s.what.split(':');
          const os = (s.user === 3) !== s.otherOs ? 'windows' : 'linux';
          const licenseType = (s.user % 3 === 0) !== s.otherLicense ? 'trial' : 'enterprise';
          return {
            eventId: `e${i}`,
            // Distinct instants per event; users 0 and 4 share an id in different products.
            timestamp: new Date(FIRST + s.day * 86_400_000 + (i + 1) * 60_000).toISOString(),
            type,
            productId: s.user < 2 ? 'p1' : 'p2',
            userId: `u${s.user % 2}`,
            // A session lives on one device (segment), as sessions do (AGGREGATES.md).
            sessionId: `s${s.user}-${s.day}-${os}-${licenseType}`,
            name: type === 'crash' ? 'Boom' : name,
            appVersion: s.version,
            os,
            licenseType,
          };
        });
        // Shuffle (Fisher-Yates, seeded), then cut into batches.
        let seed = shuffleSeed + 1;
        const order = events.slice();
        for (let i = order.length - 1; i > 0; i--) {
          seed = (seed * 48271) % 2147483647;
          const j = seed % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const batches: WireEvent[][] = [];
        let at = 0;
        for (const c of cuts) {
          const n = 1 + (c % Math.max(1, order.length - at));
          batches.push(order.slice(at, at + n));
          at += n;
        }
        if (at < order.length) batches.push(order.slice(at));

        const h = await MetricsHarness.create(day(DAYS - 1));
        try {
          await h.ingestAll(batches);
          const stored = storedEvents([events]);
          const range: DateRange = { from: day(Math.min(x, y)), to: day(Math.max(x, y)) };
          const whole: DateRange = { from: day(0), to: day(DAYS - 1) };
          expect(await activeUsers(h.ctx, { range })).toEqual(refActiveUsers(stored, range));
          expect(await activeUsers(h.ctx, { range: whole, breakdownBy: 'PRODUCT' })).toEqual(refActiveUsers(stored, whole, {}, 'PRODUCT'));
          expect(await featureAdoption(h.ctx, { range })).toEqual(refFeatureAdoption(stored, range));
          const crash = await crashRate(h.ctx, { range, granularity: 'WEEK' });
          const refCrash = refCrashRate(stored, range, 'WEEK');
          expect(crash.map((p) => [p.period, p.activeUsers, p.crashes])).toEqual(refCrash.map((p) => [p.period, p.activeUsers, p.crashes]));
          for (const g of ['DAY', 'WEEK'] as const) {
            expect(await retentionCohorts(h.ctx, { range: whole, granularity: g, periods: 30 })).toEqual(
              refRetention(stored, whole, g, 30, day(DAYS - 1)),
            );
          }
          // Adopters and repeat adopters under one OS or license type: exact (kind-6 cells).
          for (const filter of [{ os: ['windows'] }, { licenseTypes: ['trial'] }, { os: ['linux'], products: ['p2'] }] as SegmentFilter[]) {
            const pick = (r: { feature: string; activeUsers: number; adopters: number; repeatAdopters: number; uses: number }) =>
              [r.feature, r.activeUsers, r.adopters, r.repeatAdopters, r.uses];
            for (const r of [range, whole]) {
              expect((await featureAdoption(h.ctx, { range: r, filter })).map(pick)).toEqual(refFeatureAdoption(stored, r, filter).map(pick));
            }
          }
          const one: SegmentFilter = { appVersions: ['2'] };
          expect(await retentionCohorts(h.ctx, { range: whole, filter: one })).toEqual(refRetention(stored, whole, 'WEEK', 12, day(DAYS - 1), one));
          expect(await activeUsers(h.ctx, { range, breakdownBy: 'APP_VERSION' })).toEqual(refActiveUsers(stored, range, {}, 'APP_VERSION'));
          const two: SegmentFilter = { appVersions: ['2', '3'] };
          expect(await retentionCohorts(h.ctx, { range: whole, filter: two })).toEqual(
            refRetention(stored, whole, 'WEEK', 12, day(DAYS - 1), two, 'first-event'),
          );
          const sessions = await crashRate(h.ctx, { range, granularity: 'WEEK', breakdownBy: 'APP_VERSION' });
          const refSessions = refCrashRate(stored, range, 'WEEK', {}, 'APP_VERSION');
          expect(sessions.map((p) => [p.period, p.segment, p.sessions, p.crashedSessions, p.activeUsers])).toEqual(
            refSessions.map((p) => [p.period, p.segment, p.sessions, p.crashedSessions, p.activeUsers]),
          );
        } finally {
          await h.close();
        }
      },
    ),
    { numRuns: Number(process.env.OCC_RUNS ?? 15) },
  );
});
