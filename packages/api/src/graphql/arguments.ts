import {
  BadInputError,
  MAX_STORAGE_DAYS,
  MIN_STORAGE_DAYS,
  normalizeFilter,
  validateDateRange,
  validatePeriods,
  type DateRange,
  type SegmentFilter,
} from '@telemetry/schema';
import type { DateRangeInput, SegmentFilterInput } from './types/inputs.ts';

/**
 * Argument checks shared with the engine (packages/schema/src/args.ts), so the API and the
 * library refuse the same inputs with the same BAD_USER_INPUT messages. Done here too because a
 * refusal should not depend on how far into the engine a call gets.
 */

export function rangeArg(range: DateRangeInput, field = 'range'): DateRange {
  return validateDateRange({ from: range.from, to: range.to }, field);
}

export function filterArg(filter: SegmentFilterInput | null | undefined, field = 'filter'): SegmentFilter {
  if (!filter) return {};
  const { products, appVersions, os, countries, licenseTypes } = filter;
  return normalizeFilter({ products, appVersions, os, countries, licenseTypes }, field);
}

export function periodsArg(periods: number | null | undefined, fallback: number): number {
  return validatePeriods(periods ?? fallback);
}

export function storageDaysArg(days: number, field = 'storageDurationDays'): number {
  if (!Number.isInteger(days) || days < MIN_STORAGE_DAYS || days > MAX_STORAGE_DAYS) {
    throw new BadInputError(field, `${field} must be a whole number of days from ${MIN_STORAGE_DAYS} to ${MAX_STORAGE_DAYS}; got ${days}`);
  }
  return days;
}

/** A bounded list length (`limit` arguments). */
export function limitArg(limit: number, max: number, field = 'limit'): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new BadInputError(field, `${field} must be a whole number from 1 to ${max}; got ${limit}`);
  return limit;
}

/** A non-empty string argument such as `metric`. */
export function nonEmptyArg(value: string, field: string, maxLength = 128): string {
  if (value.length === 0 || value.length > maxLength) throw new BadInputError(field, `${field} must be 1..${maxLength} characters`);
  return value;
}
