import type { CrashRatePoint } from '@telemetry/schema';

/** One app version over the whole range. */
export interface VersionCrashSummary {
  readonly version: string;
  readonly sessions: number;
  readonly crashedSessions: number;
  /** crashedSessions / sessions over the range. */
  readonly crashRate: number;
  readonly crashes: number;
  /**
   * 1 − Σ crashedUsers / Σ activeUsers over the periods: the share of active users per period who did
   * not crash, weighted by each period's users (a user active in two periods counts in both).
   */
  readonly crashFreeUsersRate: number;
  /** Σ activeUsers over the periods (user-periods), the weight of crashFreeUsersRate. */
  readonly userPeriods: number;
}

/**
 * Sums the per-period points of each version (crashRate breakdownBy APP_VERSION) into one row per
 * version, newest version first ("unknown" last). Sessions rarely span periods, so summed sessions are
 * close to distinct sessions; users are not, hence the user-period weighting above.
 */
export function summarizeByVersion(points: readonly CrashRatePoint[]): VersionCrashSummary[] {
  const byVersion = new Map<string, { sessions: number; crashedSessions: number; crashes: number; activeUsers: number; crashedUsers: number }>();
  for (const point of points) {
    const version = point.segment ?? 'unknown';
    const sum = byVersion.get(version) ?? { sessions: 0, crashedSessions: 0, crashes: 0, activeUsers: 0, crashedUsers: 0 };
    sum.sessions += point.sessions;
    sum.crashedSessions += point.crashedSessions;
    sum.crashes += point.crashes;
    sum.activeUsers += point.activeUsers;
    sum.crashedUsers += point.crashedUsers;
    byVersion.set(version, sum);
  }
  return [...byVersion]
    .map(([version, s]) => ({
      version,
      sessions: s.sessions,
      crashedSessions: s.crashedSessions,
      crashRate: s.sessions === 0 ? 0 : s.crashedSessions / s.sessions,
      crashes: s.crashes,
      crashFreeUsersRate: s.activeUsers === 0 ? 1 : 1 - s.crashedUsers / s.activeUsers,
      userPeriods: s.activeUsers,
    }))
    .sort((a, b) => compareVersionsNewestFirst(a.version, b.version));
}

/** "4.10.0" before "4.9.2" before "unknown". */
export function compareVersionsNewestFirst(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'unknown') return 1;
  if (b === 'unknown') return -1;
  return b.localeCompare(a, 'en', { numeric: true });
}

/** The `limit` versions with the most sessions: the lines worth drawing. */
export function busiestVersions(summaries: readonly VersionCrashSummary[], limit: number): string[] {
  return [...summaries]
    .sort((a, b) => b.sessions - a.sessions || compareVersionsNewestFirst(a.version, b.version))
    .slice(0, limit)
    .map((s) => s.version);
}
