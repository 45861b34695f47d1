import type { CrashRatePoint, Day } from '@telemetry/schema';
import { describe, expect, it } from 'vitest';
import { busiestVersions, compareVersionsNewestFirst, summarizeByVersion } from './crash-by-version.ts';

function point(period: string, segment: string, sessions: number, crashedSessions: number, activeUsers: number, crashedUsers: number): CrashRatePoint {
  return {
    period: period as Day,
    segment,
    sessions,
    crashedSessions,
    crashRate: crashedSessions / sessions,
    crashes: crashedSessions * 2,
    activeUsers,
    crashedUsers,
    crashFreeUsersRate: 1 - crashedUsers / activeUsers,
  };
}

describe('crash rate by version', () => {
  const points = [
    point('2026-11-01', '4.9.2', 100, 10, 50, 5),
    point('2026-11-02', '4.9.2', 300, 10, 150, 5),
    point('2026-11-01', '4.10.0', 200, 2, 80, 2),
    point('2026-11-01', 'unknown', 10, 0, 5, 0),
  ];

  it('sums the periods of each version, newest version first', () => {
    const rows = summarizeByVersion(points);
    expect(rows.map((r) => r.version)).toEqual(['4.10.0', '4.9.2', 'unknown']);
    const v492 = rows[1];
    expect(v492).toMatchObject({ sessions: 400, crashedSessions: 20, crashes: 40, userPeriods: 200 });
    expect(v492.crashRate).toBeCloseTo(0.05);
    expect(v492.crashFreeUsersRate).toBeCloseTo(0.95);
  });

  it('picks the versions with the most sessions to draw', () => {
    expect(busiestVersions(summarizeByVersion(points), 2)).toEqual(['4.9.2', '4.10.0']);
  });

  it('orders versions numerically', () => {
    expect(['1.2', '1.10', 'unknown', '1.9.1'].sort(compareVersionsNewestFirst)).toEqual(['1.10', '1.9.1', '1.2', 'unknown']);
  });
});
