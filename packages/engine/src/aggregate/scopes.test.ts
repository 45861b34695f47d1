import type { DateRange, Day } from '@telemetry/schema';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { forgetCachedAnswers } from '../query/cache.ts';
import { activeUsers, crashRate, featureAdoption, latency, retentionCohorts } from '../query/index.ts';
import { type Fixture, loadFixture } from '../query/testing/fixture.ts';
import { rebuildAggregates } from './index.ts';
import { refFeatureAdoption } from '../query/testing/reference.ts';
import { expectDistinct } from '../query/testing/bounds.ts';
import {
  createAggregateTables,
  FEATURE_SCOPE_FROM,
  KIND_FEATURE_USER,
  KIND_SCOPE_FEATURE_USER,
  OCC_TABLES,
  SCOPE_FEATURE_USES,
  SCOPE_LATENCY,
  scopeKeysSql,
  SUFFIX_KINDS,
} from './tables.ts';

let f: Fixture;
let whole: DateRange;
beforeAll(async () => {
  f = await loadFixture();
  whole = { from: f.data.firstDay as Day, to: f.data.today as Day };
});
afterAll(async () => {
  await f.h.close();
});

/** Rollup rows (scope_sums, first_use_scopes, occ_suffix) that differ from what they sum (both ways). */
async function scopeDrift(): Promise<number> {
  const expected = `SELECT f.day, k.key, ${SCOPE_FEATURE_USES} AS what, f.fid AS nid, 0 AS bucket, sum(f.uses) AS n
      FROM agg_feature_day f JOIN (${scopeKeysSql()}) k USING (seg) GROUP BY ALL
    UNION ALL
    SELECT d.day, k.key, ${SCOPE_LATENCY}, d.mid, d.bucket, sum(d.n) FROM dd_latency d JOIN (${scopeKeysSql()}) k USING (seg) GROUP BY ALL`;
  const stored = `SELECT day, key, what, nid, bucket, n FROM scope_sums WHERE n <> 0`;
  const firstUses = `SELECT k.key, u.fid, u.day, sum(u.users) AS users FROM first_use_cells u JOIN (${scopeKeysSql()}) k USING (seg)
    GROUP BY ALL HAVING sum(u.users) <> 0`;
  const storedFirstUses = `SELECT key, fid, day, users FROM first_use_scopes WHERE users <> 0`;
  const diff = (a: string, b: string) => `(SELECT count(*) FROM ((${a}) EXCEPT (${b}))) + (SELECT count(*) FROM ((${b}) EXCEPT (${a})))`;
  const cellSums = OCC_TABLES.map(
    (t) => `SELECT kind, product_id, key, arity, a, sum(n) AS n FROM ${t} WHERE kind IN (${SUFFIX_KINDS}) GROUP BY ALL HAVING sum(n) <> 0`,
  ).join(' UNION ALL ');
  const storedSuffix = `SELECT kind, product_id, key, arity, a, n FROM occ_suffix WHERE n <> 0`;
  const row = await f.h.writer.one<{ n: number }>(
    `SELECT ${diff(expected, stored)} + ${diff(firstUses, storedFirstUses)} + ${diff(cellSums, storedSuffix)} AS n`,
  );
  return Number(row!.n);
}

/** Answers that read scope_sums, per-kind cell tables, or both. */
async function answers() {
  forgetCachedAnswers(f.h.pool);
  const ctx = f.h.ctx;
  const range = whole;
  return {
    latency: await latency(ctx, { range, metric: 'startup' }),
    latencyByOs: await latency(ctx, { range, metric: 'startup', breakdownBy: 'OS', granularity: 'WEEK' }),
    latencyOsFilter: await latency(ctx, { range, metric: 'startup', filter: { os: ['windows', 'linux'] }, granularity: 'MONTH' }),
    latencyProduct: await latency(ctx, { range, metric: 'startup', breakdownBy: 'PRODUCT' }),
    latencyTwo: await latency(ctx, { range, metric: 'startup', filter: { os: ['windows'] }, breakdownBy: 'COUNTRY' }),
    fa: await featureAdoption(ctx, { range }),
    faProduct: await featureAdoption(ctx, { range, filter: { products: [f.data.products[0]] } }),
    faCountry: await featureAdoption(ctx, { range, filter: { countries: ['US'] } }),
    faTwo: await featureAdoption(ctx, { range, filter: { countries: ['US'], os: ['windows'] } }),
    au: await activeUsers(ctx, { range, breakdownBy: 'OS' }),
    crash: await crashRate(ctx, { range, granularity: 'WEEK', breakdownBy: 'APP_VERSION' }),
    cohorts: await retentionCohorts(ctx, { range }),
  };
}

test('scope_sums equals the segment tables summed per scope, after loading and after a rebuild', async () => {
  expect((await f.h.writer.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM scope_sums`))!.n).toBeGreaterThan(100);
  expect(await scopeDrift()).toBe(0);
  await f.h.writer.transaction(() => rebuildAggregates(f.h.writer, whole, f.h.filesSync(whole.from, whole.to)));
  expect(await scopeDrift()).toBe(0);
});

test('a store written before occ_features and scope_sums is migrated at open, with the same answers', async () => {
  const before = await answers();
  const features = await f.h.writer.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM occ_features`);
  expect(features!.n).toBeGreaterThan(0);
  // The old layout: every kind in occ_cells, no scope rollup.
  await f.h.writer.run(`INSERT INTO occ_cells SELECT * FROM occ_features`);
  await f.h.writer.run(`DROP TABLE occ_features`);
  await f.h.writer.run(`DROP TABLE scope_sums`);
  await f.h.writer.run(`DROP TABLE first_use_scopes`);
  await f.h.writer.run(`DROP TABLE occ_suffix`);
  await createAggregateTables(f.h.writer);
  expect(await f.h.writer.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM occ_features`)).toEqual(features);
  expect(await f.h.writer.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM occ_cells WHERE kind = ${KIND_FEATURE_USER}`)).toEqual({ n: 0 });
  expect(await scopeDrift()).toBe(0);
  expect(await answers()).toEqual(before);
});

test('a store written before per-scope feature cells: sketches answer until the day after its last loaded day', async () => {
  // The old layout: no kind-6 cells nor state, no mixed flag.
  await f.h.writer.run(`DROP TABLE occ_feature_scopes`);
  await f.h.writer.run(`DELETE FROM state_entity WHERE kind = ${KIND_SCOPE_FEATURE_USER}`);
  await f.h.writer.run(`DELETE FROM state_days WHERE kind = ${KIND_SCOPE_FEATURE_USER}`);
  await f.h.writer.run(`ALTER TABLE state_entity DROP COLUMN mixed`);
  await f.h.writer.run(`DELETE FROM agg_meta WHERE key = '${FEATURE_SCOPE_FROM}'`);
  await createAggregateTables(f.h.writer);
  const meta = await f.h.writer.one<{ v: number; last: number }>(
    `SELECT (SELECT value FROM agg_meta WHERE key = '${FEATURE_SCOPE_FROM}')::INTEGER AS v,
            (SELECT max(day) - DATE '1970-01-01' FROM agg_day)::INTEGER AS last`,
  );
  expect(meta!.v).toBe(meta!.last + 1);
  // Every stored (user, feature) keeps its per-scope entities apart from now on: their past is unknown.
  expect(await f.h.writer.one(`SELECT count(*) FILTER (WHERE NOT mixed)::INTEGER AS n FROM state_entity WHERE kind = ${KIND_FEATURE_USER}`)).toEqual({ n: 0 });
  forgetCachedAnswers(f.h.pool);
  const filter = { licenseTypes: ['enterprise'] };
  const ref = refFeatureAdoption(f.events, whole, filter);
  const approx = await featureAdoption(f.h.ctx, { range: whole, filter });
  expect(approx.map((x) => x.feature)).toEqual(ref.map((x) => x.feature));
  approx.forEach((x, i) => expectDistinct(x.adopters, ref[i].adopters, `${x.feature} adopters`));
});
