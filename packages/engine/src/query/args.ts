import {
  BadInputError,
  type DateRange,
  type Dimension,
  DIMENSIONS,
  type Granularity,
  GRANULARITIES,
  normalizeFilter,
  type Precision,
  PRECISIONS,
  type SegmentFilter,
  validateDateRange,
} from '@telemetry/schema';

/** The arguments every metric query shares, checked (BadInputError names the field) and normalized. */
export interface CommonArgs {
  readonly range: DateRange;
  readonly filter: SegmentFilter;
  readonly breakdownBy: Dimension | null;
  readonly precision: Precision;
}

export function checkCommon(args: {
  range: DateRange;
  filter?: SegmentFilter | null;
  breakdownBy?: Dimension | null;
  precision?: Precision;
}): CommonArgs {
  if (!args || typeof args !== 'object') throw new BadInputError('args', 'arguments must be an object with at least range');
  const range = validateDateRange(args.range);
  const filter = normalizeFilter(args.filter);
  const breakdownBy = args.breakdownBy ?? null;
  if (breakdownBy !== null && !DIMENSIONS.includes(breakdownBy)) {
    throw new BadInputError('breakdownBy', `breakdownBy must be one of ${DIMENSIONS.join(', ')}; got ${String(breakdownBy)}`);
  }
  const precision = args.precision ?? 'APPROXIMATE';
  if (!PRECISIONS.includes(precision)) {
    throw new BadInputError('precision', `precision must be one of ${PRECISIONS.join(', ')}; got ${String(precision)}`);
  }
  return { range, filter, breakdownBy, precision };
}

export function checkGranularity(g: Granularity | null | undefined, fallback: Granularity): Granularity {
  const out = g ?? fallback;
  if (!GRANULARITIES.includes(out)) {
    throw new BadInputError('granularity', `granularity must be one of ${GRANULARITIES.join(', ')}; got ${String(out)}`);
  }
  return out;
}

export function checkMetric(metric: unknown): string {
  if (typeof metric !== 'string' || metric.length === 0 || metric.length > 128) {
    throw new BadInputError('metric', 'metric must be a non-empty performance metric name of at most 128 characters');
  }
  return metric;
}

/** Feature names to report; null = every feature used in the range. */
export function checkFeatures(features: readonly string[] | null | undefined): string[] | null {
  if (features === null || features === undefined) return null;
  if (!Array.isArray(features) || features.some((f) => typeof f !== 'string' || f.length === 0)) {
    throw new BadInputError('features', 'features must be a list of non-empty feature names');
  }
  return features.length === 0 ? null : [...new Set(features)];
}
