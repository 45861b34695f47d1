import type { Day } from '@telemetry/schema';
import { describe, expect, it } from 'vitest';
import { dashboardQueryParams, defaultRange, parseDashboardQuery, rangeProblem, toSegmentFilter, utcToday } from './dashboard-query.ts';

const today = '2026-11-25' as Day;

describe('dashboard query in the URL', () => {
  it('defaults to the last 30 days, today included, with no filter', () => {
    const query = parseDashboardQuery(new URLSearchParams(''), today);
    expect(query.range).toEqual({ from: '2026-10-27', to: '2026-11-25' });
    expect(defaultRange(today)).toEqual(query.range);
    expect(toSegmentFilter(query.filter)).toBeNull();
  });

  it('round-trips a bookmarked view', () => {
    const params = new URLSearchParams('from=2026-09-01&to=2026-09-30&product=desk,web&version=4.2.0&os=windows&country=DE,FR&license=trial');
    const query = parseDashboardQuery(params, today);
    expect(query.range).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    expect(toSegmentFilter(query.filter)).toEqual({
      products: ['desk', 'web'],
      appVersions: ['4.2.0'],
      os: ['windows'],
      countries: ['DE', 'FR'],
      licenseTypes: ['trial'],
    });
    expect(parseDashboardQuery(dashboardQueryParams(query), today)).toEqual(query);
  });

  it('ignores a malformed or reversed range and trims list entries', () => {
    expect(parseDashboardQuery(new URLSearchParams('from=2026-02-30&to=2026-03-01'), today).range).toEqual(defaultRange(today));
    expect(parseDashboardQuery(new URLSearchParams('from=2026-03-02&to=2026-03-01'), today).range).toEqual(defaultRange(today));
    expect(parseDashboardQuery(new URLSearchParams('os= linux ,, mac ,linux'), today).filter.os).toEqual(['linux', 'mac']);
  });

  it('explains what is wrong with a range', () => {
    expect(rangeProblem({ from: '2026-01-01', to: '2026-01-31' })).toBeNull();
    expect(rangeProblem({ from: '', to: '2026-01-31' })).toBe('Choose a start date.');
    expect(rangeProblem({ from: '2026-02-01', to: '2026-01-31' })).toBe('The start date must be on or before the end date.');
    expect(rangeProblem({ from: '2024-01-01', to: '2025-12-31' })).toBeNull();
    expect(rangeProblem({ from: '2024-01-01', to: '2026-01-01' })).toBe('A date range may span at most 731 days; this one spans 732.');
  });

  it('counts days in UTC', () => {
    expect(utcToday(Date.parse('2026-11-25T23:59:59-05:00'))).toBe('2026-11-26');
  });
});
