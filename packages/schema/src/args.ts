/**
 * Checks of query arguments shared by the engine's library API and the GraphQL resolvers, so both
 * reject the same inputs with the same `BadInputError` (code `BAD_USER_INPUT`, naming the field
 * and the rule).
 */
import { daysBetween, parseDay } from './day.ts';
import { BadInputError } from './errors.ts';
import { MAX_RANGE_DAYS, type DateRange, type SegmentFilter } from './metrics.ts';

/** Most periods a retention query may ask for. */
export const MAX_PERIODS = 120;
/** Most values one filter list may hold (each list becomes an IN list). */
export const MAX_FILTER_VALUES = 100;

const FILTER_LISTS = ['products', 'appVersions', 'os', 'countries', 'licenseTypes'] as const;
type FilterList = (typeof FILTER_LISTS)[number];
const FILTER_LIST_SET: ReadonlySet<string> = new Set(FILTER_LISTS);

/**
 * Checks a date range: both ends real `YYYY-MM-DD` days, `from` on or before `to`, at most
 * MAX_RANGE_DAYS days counting both ends. `field` names the argument in error messages.
 *
 * @example
 * validateDateRange({ from: '2024-01-01', to: '2024-01-31' }) // => the same days, typed as Day
 * validateDateRange({ from: '2024-02-30', to: '2024-03-01' }) // throws `range.from must be a date YYYY-MM-DD`
 */
export function validateDateRange(range: { readonly from: string; readonly to: string }, field = 'range'): DateRange {
  if (typeof range !== 'object' || range === null) {
    throw new BadInputError(field, `${field} must be an object with from and to dates YYYY-MM-DD`);
  }
  const from = typeof range.from === 'string' ? parseDay(range.from) : null;
  if (from === null) throw new BadInputError(`${field}.from`, `${field}.from must be a date YYYY-MM-DD`);
  const to = typeof range.to === 'string' ? parseDay(range.to) : null;
  if (to === null) throw new BadInputError(`${field}.to`, `${field}.to must be a date YYYY-MM-DD`);
  if (from > to) throw new BadInputError(`${field}.from`, `${field}.from must be on or before ${field}.to`);
  const days = daysBetween(from, to) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new BadInputError(field, `${field} must span at most ${MAX_RANGE_DAYS} days; got ${days}`);
  }
  return { from, to };
}

/**
 * Checks a number of retention periods: a whole number from 1 to MAX_PERIODS.
 *
 * @example
 * validatePeriods(12) // => 12
 */
export function validatePeriods(n: number, field = 'periods'): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PERIODS) {
    throw new BadInputError(field, `${field} must be a whole number from 1 to ${MAX_PERIODS}; got ${String(n)}`);
  }
  return n;
}

/**
 * Checks a segment filter and returns it with absent and empty lists left out; values are kept
 * exactly as given (no trimming or case folding: they are matched as stored). Rejects a list that
 * is not an array of strings, one with more than MAX_FILTER_VALUES values, and keys that are not
 * filter lists — a misspelt `product` would otherwise silently filter nothing.
 *
 * @example
 * normalizeFilter({ os: ['windows'], countries: [] }) // => { os: ['windows'] }
 */
export function normalizeFilter(filter: SegmentFilter | null | undefined, field = 'filter'): SegmentFilter {
  if (filter === null || filter === undefined) return {};
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw new BadInputError(field, `${field} must be an object of lists: ${FILTER_LISTS.join(', ')}`);
  }
  for (const key of Object.keys(filter)) {
    if (!FILTER_LIST_SET.has(key) && (filter as Record<string, unknown>)[key] !== undefined) {
      throw new BadInputError(`${field}.${key}`, `${field}.${key} is not a filter; use ${FILTER_LISTS.join(', ')}`);
    }
  }
  const out: { -readonly [K in FilterList]?: readonly string[] } = {};
  for (const list of FILTER_LISTS) {
    const values = normalizeList(filter[list], `${field}.${list}`);
    if (values !== null) out[list] = values;
  }
  return out;
}

function normalizeList(values: unknown, field: string): readonly string[] | null {
  if (values === null || values === undefined) return null;
  if (!Array.isArray(values)) throw new BadInputError(field, `${field} must be a list of strings`);
  if (values.length === 0) return null;
  if (values.length > MAX_FILTER_VALUES) {
    throw new BadInputError(field, `${field} must have at most ${MAX_FILTER_VALUES} values; got ${values.length}`);
  }
  for (const v of values) {
    if (typeof v !== 'string') throw new BadInputError(field, `${field} must be a list of strings`);
  }
  // A copy, so a caller changing its array later cannot change a running query.
  return values.slice() as string[];
}
