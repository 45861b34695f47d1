import type { TelemetryEngineApi } from '@telemetry/engine';
import { addDays, type DateRange, type Day, type Precision } from '@telemetry/schema';

/** The five metric families of metrics.md. */
export const FAMILIES = ['activeUsers', 'featureAdoption', 'latency', 'crashRate', 'retentionCohorts'] as const;
export type Family = (typeof FAMILIES)[number];

/** One dashboard query: a family, a range, its arguments. */
export interface DashboardQuery {
  /** e.g. `30d activeUsers.by(COUNTRY)` — the same names as the PostgreSQL peer's, prefixed by the range. */
  readonly name: string;
  readonly family: Family;
  readonly rangeDays: number;
  /** retentionCohorts has no precision argument (its cells are exact): it is not in the EXACT set. */
  readonly hasExact: boolean;
  run(engine: TelemetryEngineApi, precision: Precision): Promise<unknown[]>;
}

/** Answers by query name, for the accuracy comparison. */
export interface QueryAnswers {
  readonly approx: ReadonlyMap<string, unknown[]>;
  readonly exact: ReadonlyMap<string, unknown[]>;
  readonly queries: readonly DashboardQuery[];
}

/** The last `days` days up to `endDay`, both inclusive. */
export function lastDays(endDay: Day, days: number): DateRange {
  return { from: addDays(endDay, -(days - 1)), to: endDay };
}

/**
 * The dashboard query set of bench.md: every metric, over the last 30 days and the last 90 (or the
 * whole fleet when it is shorter), plain, filtered and broken down. The twelve shapes per range are
 * those of the PostgreSQL peer (`runPostgresQueries`), so the engine's and the peer's p95 are over
 * the same questions.
 */
export function dashboardQueries(endDay: Day, fleetDays: number): DashboardQuery[] {
  const spans = [...new Set([Math.min(30, fleetDays), Math.min(90, fleetDays)])];
  const out: DashboardQuery[] = [];
  for (const span of spans) {
    const range = lastDays(endDay, span);
    const q = (name: string, family: Family, run: DashboardQuery['run'], hasExact = true): void => {
      out.push({ name: `${span}d ${name}`, family, rangeDays: span, hasExact, run });
    };
    q('activeUsers', 'activeUsers', (e, precision) => e.activeUsers({ range, precision }));
    q('activeUsers.filter(os=windows)', 'activeUsers', (e, precision) => e.activeUsers({ range, precision, filter: { os: ['windows'] } }));
    q('activeUsers.by(COUNTRY)', 'activeUsers', (e, precision) => e.activeUsers({ range, precision, breakdownBy: 'COUNTRY' }));
    q('featureAdoption', 'featureAdoption', (e, precision) => e.featureAdoption({ range, precision }));
    q('featureAdoption.filter(licenseType=enterprise)', 'featureAdoption', (e, precision) =>
      e.featureAdoption({ range, precision, filter: { licenseTypes: ['enterprise'] } }),
    );
    q('latency(startup)', 'latency', (e, precision) => e.latency({ range, precision, metric: 'startup' }));
    q('latency(response).by(OS)', 'latency', (e, precision) => e.latency({ range, precision, metric: 'response', breakdownBy: 'OS' }));
    q('latency(startup).week.filter(os=windows)', 'latency', (e, precision) =>
      e.latency({ range, precision, metric: 'startup', granularity: 'WEEK', filter: { os: ['windows'] } }),
    );
    q('crashRate', 'crashRate', (e, precision) => e.crashRate({ range, precision }));
    q('crashRate.by(APP_VERSION)', 'crashRate', (e, precision) => e.crashRate({ range, precision, breakdownBy: 'APP_VERSION' }));
    q('retentionCohorts.week', 'retentionCohorts', (e) => e.retentionCohorts({ range, granularity: 'WEEK' }), false);
    q(
      'retentionCohorts.week.filter(country=US)',
      'retentionCohorts',
      (e) => e.retentionCohorts({ range, granularity: 'WEEK', filter: { countries: ['US'] } }),
      false,
    );
  }
  return out;
}
