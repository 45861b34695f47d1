import { addDays, dayOf, daysBetween, MAX_RANGE_DAYS, parseDay, type DateRange, type Day, type SegmentFilter } from '@telemetry/schema';
import { splitCommaList } from '../ui/multi-select.ts';

/** The filter lists of SegmentFilter, in the order the filter bar shows them. */
export const FILTER_LISTS = ['products', 'appVersions', 'os', 'countries', 'licenseTypes'] as const;
export type FilterList = (typeof FILTER_LISTS)[number];
export type Filter = Record<FilterList, string[]>;

/** What the dashboard shows: a date range and a segment filter. Lives in the URL hash, so a view can be bookmarked. */
export interface DashboardQuery {
  readonly range: DateRange;
  readonly filter: Filter;
}

/** The short URL parameter of each filter list. */
const PARAM: Readonly<Record<FilterList, string>> = {
  products: 'product',
  appVersions: 'version',
  os: 'os',
  countries: 'country',
  licenseTypes: 'license',
};

export const DEFAULT_RANGE_DAYS = 30;

/** The last 30 days, today included. */
export function defaultRange(today: Day): DateRange {
  return { from: addDays(today, -(DEFAULT_RANGE_DAYS - 1)), to: today };
}

export function emptyFilter(): Filter {
  return { products: [], appVersions: [], os: [], countries: [], licenseTypes: [] };
}

/** Reads `from`, `to` and the filter lists from URL parameters; anything missing or malformed takes its default. */
export function parseDashboardQuery(params: URLSearchParams, today: Day): DashboardQuery {
  const fallback = defaultRange(today);
  const from = parseDay(params.get('from') ?? '');
  const to = parseDay(params.get('to') ?? '');
  const range = from && to && rangeProblem({ from, to }) === null ? { from, to } : fallback;
  const filter = emptyFilter();
  for (const list of FILTER_LISTS) filter[list] = splitCommaList(params.get(PARAM[list]) ?? '');
  return { range, filter };
}

/** The URL parameters of a query; empty lists are left out. */
export function dashboardQueryParams(query: DashboardQuery): URLSearchParams {
  const params = new URLSearchParams({ from: query.range.from, to: query.range.to });
  for (const list of FILTER_LISTS) {
    if (query.filter[list].length > 0) params.set(PARAM[list], query.filter[list].join(','));
  }
  return params;
}

/** The GraphQL SegmentFilter: only non-empty lists, or null for no constraint at all. */
export function toSegmentFilter(filter: Filter): SegmentFilter | null {
  const out: { -readonly [K in FilterList]?: string[] } = {};
  for (const list of FILTER_LISTS) if (filter[list].length > 0) out[list] = filter[list];
  return Object.keys(out).length > 0 ? out : null;
}

/** Why a range cannot be asked for, in words for the form; null when it can. */
export function rangeProblem(range: { readonly from: string; readonly to: string }): string | null {
  const from = parseDay(range.from);
  const to = parseDay(range.to);
  if (!from) return 'Choose a start date.';
  if (!to) return 'Choose an end date.';
  if (from > to) return 'The start date must be on or before the end date.';
  const days = daysBetween(from, to) + 1;
  if (days > MAX_RANGE_DAYS) return `A date range may span at most ${MAX_RANGE_DAYS} days; this one spans ${days}.`;
  return null;
}

/** Today as a UTC day, the calendar the API counts in. */
export function utcToday(now: number = Date.now()): Day {
  return dayOf(now);
}
