import type { SegmentArgs } from '../../api/operations.ts';
import { toSegmentFilter, type DashboardQuery } from '../../model/dashboard-query.ts';

/** One card of the dashboard: reloads when the date range or filter changes. */
export interface DashboardPanel {
  readonly element: HTMLElement;
  load(query: DashboardQuery): void;
  destroy(): void;
}

/** The `range` and `filter` variables every metric query takes. */
export function segmentArgs(query: DashboardQuery): SegmentArgs {
  return { range: query.range, filter: toSegmentFilter(query.filter) };
}

/** "for 2026-10-27 – 2026-11-25" */
export function describeRange(query: DashboardQuery): string {
  return `${query.range.from} – ${query.range.to}`;
}
