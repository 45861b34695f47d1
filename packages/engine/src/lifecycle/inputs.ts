import {
  BadInputError,
  type DateRange,
  type Day,
  daysBetween,
  EXPORT_DATASETS,
  EXPORT_FORMATS,
  type ExportDataset,
  type ExportFormat,
  MAX_RANGE_DAYS,
  parseDay,
  type SegmentFilter,
} from '@telemetry/schema';
import type { ExportRequest, Subject } from '../engine.ts';
import { FILTER_COLUMNS } from '../storage/columns.ts';

/** A DateRange checked against api.graphql: real days, from <= to, at most MAX_RANGE_DAYS apart. */
export function checkRange(range: DateRange | null | undefined, field = 'range'): { from: Day; to: Day } {
  if (!range || typeof range !== 'object') throw new BadInputError(field, `${field} is required: { from, to } as YYYY-MM-DD`);
  const from = typeof range.from === 'string' ? parseDay(range.from) : null;
  if (!from) throw new BadInputError(`${field}.from`, `${field}.from must be a calendar day written YYYY-MM-DD`);
  const to = typeof range.to === 'string' ? parseDay(range.to) : null;
  if (!to) throw new BadInputError(`${field}.to`, `${field}.to must be a calendar day written YYYY-MM-DD`);
  if (from > to) throw new BadInputError(field, `${field}.from (${from}) must not be after ${field}.to (${to})`);
  if (daysBetween(from, to) > MAX_RANGE_DAYS) {
    throw new BadInputError(field, `${field} may span at most ${MAX_RANGE_DAYS} days apart; got ${daysBetween(from, to)}`);
  }
  return { from, to };
}

/** Each list of a SegmentFilter must be an array of strings (absent, null or empty: no constraint). */
export function checkFilter(filter: SegmentFilter | null | undefined, field = 'filter'): SegmentFilter | null {
  if (filter === null || filter === undefined) return null;
  if (typeof filter !== 'object') throw new BadInputError(field, `${field} must be an object of string lists`);
  for (const key of Object.keys(filter)) {
    if (!(key in FILTER_COLUMNS)) throw new BadInputError(`${field}.${key}`, `${field}.${key} is not a filter field (${Object.keys(FILTER_COLUMNS).join(', ')})`);
    const values = filter[key as keyof SegmentFilter];
    if (values === null || values === undefined) continue;
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new BadInputError(`${field}.${key}`, `${field}.${key} must be a list of strings`);
    }
  }
  return filter;
}

/** Exactly one of userId / licenseId, a non-empty string (the GraphQL mutation's rule). */
export function checkSubject(subject: Subject | null | undefined): Subject {
  const s = (subject ?? {}) as { userId?: unknown; licenseId?: unknown };
  const hasUser = s.userId !== undefined && s.userId !== null;
  const hasLicense = s.licenseId !== undefined && s.licenseId !== null;
  if (hasUser && hasLicense) throw new BadInputError('licenseId', 'give exactly one of userId and licenseId, not both');
  if (!hasUser && !hasLicense) throw new BadInputError('userId', 'give exactly one of userId and licenseId');
  if (hasUser) {
    if (typeof s.userId !== 'string' || s.userId.length === 0 || s.userId.length > 128) {
      throw new BadInputError('userId', 'userId must be a string of 1..128 characters');
    }
    return { userId: s.userId };
  }
  if (typeof s.licenseId !== 'string' || s.licenseId.length === 0 || s.licenseId.length > 128) {
    throw new BadInputError('licenseId', 'licenseId must be a string of 1..128 characters');
  }
  return { licenseId: s.licenseId };
}

export function checkFormat(format: unknown): ExportFormat {
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw new BadInputError('format', `format must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return format as ExportFormat;
}

export function checkExportRequest(request: ExportRequest): {
  dataset: ExportDataset;
  format: ExportFormat;
  range: { from: Day; to: Day };
  filter: SegmentFilter | null;
} {
  if (!request || typeof request !== 'object') throw new BadInputError('dataset', 'an export request { dataset, format, range } is required');
  if (!EXPORT_DATASETS.includes(request.dataset)) {
    throw new BadInputError('dataset', `dataset must be one of ${EXPORT_DATASETS.join(', ')}`);
  }
  return {
    dataset: request.dataset,
    format: checkFormat(request.format),
    range: checkRange(request.range),
    filter: checkFilter(request.filter),
  };
}
