/** A point of a metric broken down by a dimension: one per (period, segment). */
export interface SegmentPoint {
  readonly period: string;
  readonly segment: string | null;
}

export interface SegmentSeries {
  /** Every period that has a point, oldest first: the x values. */
  readonly periods: string[];
  /** One line per segment, in the order of `segments`; null where a segment has no point for a period. */
  readonly lines: { readonly segment: string; readonly values: (number | null)[] }[];
}

/**
 * Turns breakdown rows into aligned lines for a chart. `segments` chooses and orders the lines;
 * without it, every segment appears, the one with the largest `weight` sum first.
 *
 * @example
 * pivotBySegment(latency, (p) => p.p95, { weight: (p) => p.count })
 */
export function pivotBySegment<P extends SegmentPoint>(
  points: readonly P[],
  value: (point: P) => number,
  options: { readonly segments?: readonly string[]; readonly weight?: (point: P) => number } = {},
): SegmentSeries {
  const periods = [...new Set(points.map((p) => p.period))].sort();
  const column = new Map(periods.map((period, i) => [period, i]));
  const weights = new Map<string, number>();
  const lines = new Map<string, (number | null)[]>();
  for (const point of points) {
    const segment = point.segment ?? 'unknown';
    let values = lines.get(segment);
    if (!values) {
      values = periods.map(() => null);
      lines.set(segment, values);
    }
    values[column.get(point.period)!] = value(point);
    weights.set(segment, (weights.get(segment) ?? 0) + (options.weight ? options.weight(point) : 1));
  }
  const order =
    options.segments?.filter((s) => lines.has(s)) ??
    [...lines.keys()].sort((a, b) => weights.get(b)! - weights.get(a)! || a.localeCompare(b));
  return { periods, lines: order.map((segment) => ({ segment, values: lines.get(segment)! })) };
}
