/**
 * The metrics of metrics.md as plain PostgreSQL over the peer's events table: exact answers
 * (count(DISTINCT), percentile_cont), no pre-aggregation. Each function returns rows in the shapes
 * of @telemetry/schema, so the runner can both time them and compare them with the engine's EXACT
 * answers. Values are bound parameters; the only text spliced in comes from closed enums.
 */
import type { ClientBase } from 'pg';
import type {
  ActiveUsersPoint,
  CrashRatePoint,
  DateRange,
  Day,
  Dimension,
  FeatureAdoption,
  Granularity,
  LatencyPoint,
  RetentionCohort,
  SegmentFilter,
} from '@telemetry/schema';
import { percentile } from './stats.ts';

const DIMENSION_COLUMN: Readonly<Record<Dimension, string>> = {
  PRODUCT: 'product_id',
  APP_VERSION: 'app_version',
  OS: 'os',
  COUNTRY: 'country',
  LICENSE_TYPE: 'license_type',
};

/** The first day of the period holding `column` (ISO weeks start on Monday, as date_trunc does). */
function periodOf(granularity: Granularity, column: string): string {
  switch (granularity) {
    case 'DAY':
      return column;
    case 'WEEK':
      return `date_trunc('week', ${column})::date`;
    case 'MONTH':
      return `date_trunc('month', ${column})::date`;
  }
}

/** Periods from period `a` to period `b` (both period starts). */
function periodIndex(granularity: Granularity, a: string, b: string): string {
  switch (granularity) {
    case 'DAY':
      return `(${b} - ${a})`;
    case 'WEEK':
      return `((${b} - ${a}) / 7)`;
    case 'MONTH':
      return `((extract(year from ${b}) * 12 + extract(month from ${b})) - (extract(year from ${a}) * 12 + extract(month from ${a})))::int`;
  }
}

/** Filter on $3..$7; a null array means no constraint. */
const FILTER_SQL = `
  AND ($3::text[] IS NULL OR product_id = ANY($3::text[]))
  AND ($4::text[] IS NULL OR app_version = ANY($4::text[]))
  AND ($5::text[] IS NULL OR os = ANY($5::text[]))
  AND ($6::text[] IS NULL OR country = ANY($6::text[]))
  AND ($7::text[] IS NULL OR license_type = ANY($7::text[]))`;

function filterParams(filter: SegmentFilter | null | undefined): (readonly string[] | null)[] {
  const list = (values: readonly string[] | null | undefined): readonly string[] | null =>
    values && values.length > 0 ? values : null;
  return [
    list(filter?.products),
    list(filter?.appVersions),
    list(filter?.os),
    list(filter?.countries),
    list(filter?.licenseTypes),
  ];
}

function segmentSql(breakdown: Dimension | null | undefined): string {
  return breakdown ? DIMENSION_COLUMN[breakdown] : 'NULL::text';
}

export interface ActiveUsersQuery {
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
  readonly breakdownBy?: Dimension | null;
}

/** DAU/WAU/MAU for every day of the range; the windows reach back 29 days before `range.from`. */
export async function pgActiveUsers(client: ClientBase, q: ActiveUsersQuery): Promise<ActiveUsersPoint[]> {
  const segment = segmentSql(q.breakdownBy);
  const sql = `
    WITH ud AS (
      SELECT DISTINCT day, product_id || '/' || user_id AS uk, ${segment} AS segment
      FROM events
      WHERE day BETWEEN $1::date - 29 AND $2::date ${FILTER_SQL}
    ), days AS (
      SELECT d::date AS day FROM generate_series($1::date, $2::date, interval '1 day') AS d
    ), counts AS (
      SELECT days.day, ud.segment,
        count(DISTINCT ud.uk) FILTER (WHERE ud.day = days.day) AS dau,
        count(DISTINCT ud.uk) FILTER (WHERE ud.day > days.day - 7) AS wau,
        count(DISTINCT ud.uk) AS mau
      FROM days LEFT JOIN ud ON ud.day BETWEEN days.day - 29 AND days.day
      GROUP BY days.day, ud.segment
    )
    SELECT day::text AS day, segment, dau::int, wau::int, mau::int,
      CASE WHEN mau = 0 THEN 0 ELSE dau::float8 / mau END AS stickiness
    FROM counts ORDER BY day, segment`;
  const { rows } = await client.query(sql, [q.range.from, q.range.to, ...filterParams(q.filter)]);
  return rows as ActiveUsersPoint[];
}

export interface FeatureAdoptionQuery {
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
}

/** Per feature used in the range: adopters, uses, repeat adopters, first seen (all history), median days to first use. */
export async function pgFeatureAdoption(client: ClientBase, q: FeatureAdoptionQuery): Promise<FeatureAdoption[]> {
  // One pass per (feature, user), then a window for the feature's first day: no self-join, whose
  // estimates over CTEs went wrong (a nested loop took 18 s on 60k events with a filter).
  const sql = `
    WITH per_user AS (
      SELECT name, product_id || '/' || user_id AS uk, min(day) AS first_day,
        count(*) FILTER (WHERE day BETWEEN $1::date AND $2::date) AS uses,
        count(DISTINCT day) FILTER (WHERE day BETWEEN $1::date AND $2::date) AS days
      FROM events WHERE type = 'feature_used' ${FILTER_SQL}
      GROUP BY name, uk
    ), with_first AS (
      SELECT *, min(first_day) OVER (PARTITION BY name) AS first_seen FROM per_user
    ), active AS (
      SELECT count(DISTINCT product_id || '/' || user_id) AS n
      FROM events WHERE day BETWEEN $1::date AND $2::date ${FILTER_SQL}
    )
    SELECT name AS feature, a.n::int AS "activeUsers",
      (count(*) FILTER (WHERE uses > 0))::int AS adopters,
      CASE WHEN a.n = 0 THEN 0 ELSE (count(*) FILTER (WHERE uses > 0))::float8 / a.n END AS "adoptionRate",
      sum(uses)::float8 AS uses,
      (count(*) FILTER (WHERE days >= 2))::int AS "repeatAdopters",
      min(first_seen)::text AS "firstSeen",
      percentile_cont(0.5) WITHIN GROUP (ORDER BY first_day - first_seen)
        FILTER (WHERE first_day BETWEEN $1::date AND $2::date) AS "medianDaysToFirstUse"
    FROM with_first CROSS JOIN active a
    GROUP BY name, a.n
    HAVING count(*) FILTER (WHERE uses > 0) > 0
    ORDER BY name`;
  const { rows } = await client.query(sql, [q.range.from, q.range.to, ...filterParams(q.filter)]);
  return rows as FeatureAdoption[];
}

export interface LatencyQuery {
  readonly range: DateRange;
  readonly metric: string;
  readonly filter?: SegmentFilter | null;
  readonly granularity?: Granularity;
  readonly breakdownBy?: Dimension | null;
}

/** p50/p90/p95/p99 (percentile_cont) of `performance` values named `metric`, per period. */
export async function pgLatency(client: ClientBase, q: LatencyQuery): Promise<LatencyPoint[]> {
  const period = periodOf(q.granularity ?? 'DAY', 'day');
  const sql = `
    SELECT ${period}::text AS period, ${segmentSql(q.breakdownBy)} AS segment, count(*)::float8 AS count,
      percentile_cont(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY value) AS q
    FROM events
    WHERE type = 'performance' AND name = $8 AND day BETWEEN $1::date AND $2::date ${FILTER_SQL}
    GROUP BY 1, 2 ORDER BY 1, 2`;
  const { rows } = await client.query(sql, [q.range.from, q.range.to, ...filterParams(q.filter), q.metric]);
  return rows.map((r: { period: Day; segment: string | null; count: number; q: number[] }) => ({
    period: r.period,
    segment: r.segment,
    count: r.count,
    p50: r.q[0],
    p90: r.q[1],
    p95: r.q[2],
    p99: r.q[3],
  }));
}

export interface CrashRateQuery {
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
  readonly granularity?: Granularity;
  readonly breakdownBy?: Dimension | null;
}

/** Sessions, crashed sessions, crashes, active and crashed users per period. */
export async function pgCrashRate(client: ClientBase, q: CrashRateQuery): Promise<CrashRatePoint[]> {
  const period = periodOf(q.granularity ?? 'DAY', 'day');
  const sql = `
    WITH c AS (
      SELECT ${period} AS period, ${segmentSql(q.breakdownBy)} AS segment,
        count(DISTINCT product_id || '/' || session_id) AS sessions,
        count(DISTINCT product_id || '/' || session_id) FILTER (WHERE type = 'crash') AS crashed_sessions,
        count(*) FILTER (WHERE type = 'crash') AS crashes,
        count(DISTINCT product_id || '/' || user_id) AS active_users,
        count(DISTINCT product_id || '/' || user_id) FILTER (WHERE type = 'crash') AS crashed_users
      FROM events
      WHERE day BETWEEN $1::date AND $2::date ${FILTER_SQL}
      GROUP BY 1, 2
    )
    SELECT period::text AS period, segment, sessions::int, crashed_sessions::int AS "crashedSessions",
      CASE WHEN sessions = 0 THEN 0 ELSE crashed_sessions::float8 / sessions END AS "crashRate",
      crashes::float8 AS crashes, active_users::int AS "activeUsers", crashed_users::int AS "crashedUsers",
      CASE WHEN active_users = 0 THEN 1 ELSE 1 - crashed_users::float8 / active_users END AS "crashFreeUsersRate"
    FROM c ORDER BY period, segment`;
  const { rows } = await client.query(sql, [q.range.from, q.range.to, ...filterParams(q.filter)]);
  return rows as CrashRatePoint[];
}

export interface RetentionQuery {
  readonly range: DateRange;
  readonly filter?: SegmentFilter | null;
  readonly granularity?: Granularity;
  readonly periods?: number;
  /** The day whose period ends each cohort's list (metrics.md: "the period that holds today"). Default range.to. */
  readonly today?: Day;
}

/** Cohorts by first-seen period (over all stored history) starting inside the range, oldest first. */
export async function pgRetentionCohorts(client: ClientBase, q: RetentionQuery): Promise<RetentionCohort[]> {
  const granularity = q.granularity ?? 'WEEK';
  const periods = q.periods ?? 12;
  // A user's cohort is its first active period (the period of its first-seen day): a window over
  // its distinct active periods, so each user is read once and nothing is joined back.
  const sql = `
    WITH up AS (
      SELECT DISTINCT product_id || '/' || user_id AS uk, ${periodOf(granularity, 'day')} AS period
      FROM events WHERE TRUE ${FILTER_SQL}
    ), c AS (
      SELECT period, min(period) OVER (PARTITION BY uk) AS cohort FROM up
    )
    SELECT cohort::text AS cohort, ${periodIndex(granularity, 'cohort', 'period')} AS k, count(*)::int AS users,
      ${periodIndex(granularity, 'cohort', periodOf(granularity, '$8::date'))} AS last_k
    FROM c
    WHERE cohort BETWEEN $1::date AND $2::date
    GROUP BY cohort, k ORDER BY cohort, k`;
  const today = q.today ?? q.range.to;
  const { rows } = await client.query(sql, [q.range.from, q.range.to, ...filterParams(q.filter), today]);
  const cohorts = new Map<string, { counts: Map<number, number>; lastK: number }>();
  for (const r of rows as { cohort: string; k: number; users: number; last_k: number }[]) {
    let c = cohorts.get(r.cohort);
    if (!c) cohorts.set(r.cohort, (c = { counts: new Map(), lastK: Number(r.last_k) }));
    c.counts.set(Number(r.k), r.users);
  }
  return [...cohorts].map(([cohort, { counts, lastK }]) => {
    const size = counts.get(0) ?? 0;
    const length = Math.max(1, Math.min(periods, lastK + 1));
    const retained = Array.from({ length }, (_, k) => counts.get(k) ?? 0);
    return { cohort: cohort as Day, size, retained, rates: retained.map((n) => (size === 0 ? 0 : n / size)) };
  });
}

export interface PostgresQueryTiming {
  readonly name: string;
  readonly ms: number;
  readonly rows: number;
}

export interface PostgresQueryRun {
  readonly range: DateRange;
  readonly timings: readonly PostgresQueryTiming[];
  /** p95 over every timing: the peer's `queryP95Ms` for this range. */
  readonly p95Ms: number;
  /** Each query's answer, by name, for comparison with the engine's EXACT answers. */
  readonly results: Readonly<Record<string, unknown[]>>;
}

export interface PostgresQueryOptions {
  /** Times each query runs (default 1); every run is a timing. */
  readonly repeats?: number;
  /** "Today" for retention (default range.to). */
  readonly today?: Day;
}

/**
 * The dashboard query set of bench.md over one range — every metric, with and without a filter or
 * a breakdown — timed one by one on `client`.
 *
 * @example
 * const run = await runPostgresQueries(client, { from: '2025-06-01', to: '2025-06-30' });
 * console.log(run.p95Ms, run.timings);
 */
export async function runPostgresQueries(
  client: ClientBase,
  range: DateRange,
  options: PostgresQueryOptions = {},
): Promise<PostgresQueryRun> {
  const queries: [string, () => Promise<unknown[]>][] = [
    ['activeUsers', () => pgActiveUsers(client, { range })],
    ['activeUsers.filter(os=windows)', () => pgActiveUsers(client, { range, filter: { os: ['windows'] } })],
    ['activeUsers.by(COUNTRY)', () => pgActiveUsers(client, { range, breakdownBy: 'COUNTRY' })],
    ['featureAdoption', () => pgFeatureAdoption(client, { range })],
    ['featureAdoption.filter(licenseType=enterprise)', () => pgFeatureAdoption(client, { range, filter: { licenseTypes: ['enterprise'] } })],
    ['latency(startup)', () => pgLatency(client, { range, metric: 'startup' })],
    ['latency(response).by(OS)', () => pgLatency(client, { range, metric: 'response', breakdownBy: 'OS' })],
    ['latency(startup).week.filter(os=windows)', () => pgLatency(client, { range, metric: 'startup', granularity: 'WEEK', filter: { os: ['windows'] } })],
    ['crashRate', () => pgCrashRate(client, { range })],
    ['crashRate.by(APP_VERSION)', () => pgCrashRate(client, { range, breakdownBy: 'APP_VERSION' })],
    ['retentionCohorts.week', () => pgRetentionCohorts(client, { range, today: options.today })],
    ['retentionCohorts.week.filter(country=US)', () => pgRetentionCohorts(client, { range, today: options.today, filter: { countries: ['US'] } })],
  ];
  const timings: PostgresQueryTiming[] = [];
  const results: Record<string, unknown[]> = {};
  for (let r = 0; r < (options.repeats ?? 1); r++) {
    for (const [name, run] of queries) {
      const t = performance.now();
      const rows = await run();
      timings.push({ name, ms: performance.now() - t, rows: rows.length });
      results[name] = rows;
    }
  }
  return { range, timings, p95Ms: percentile(timings.map((t) => t.ms), 0.95), results };
}
