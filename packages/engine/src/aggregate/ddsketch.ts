/**
 * DDSketch-style log buckets for latency percentiles: a value x > 0 falls in bucket
 * i = ceil(ln x / ln γ), i.e. (γ^(i-1), γ^i], with γ = (1 + α) / (1 − α). The bucket's representative
 * 2γ^i / (γ + 1) is within α (relative) of every value in it. Merging is `sum(n)` per bucket.
 *
 * Percentiles follow the contract's linear interpolation (quantile_cont): with n values and rank
 * h = (n − 1)q, the answer is x[⌊h⌋] + (h − ⌊h⌋)(x[⌈h⌉] − x[⌊h⌋]). We take the representatives of the
 * buckets holding ranks ⌊h⌋ and ⌈h⌉: each is within α of the true order statistic, so their convex
 * combination is within α of the exact answer. α = 1% gives ±1% against a 2% bound.
 */
export const DD_ALPHA = 0.01;
export const DD_GAMMA = (1 + DD_ALPHA) / (1 - DD_ALPHA);
const LN_GAMMA = Math.log(DD_GAMMA);
/** Values <= 0 (zero-length timings) get their own bucket, below every log bucket. */
export const DD_ZERO_BUCKET = -2_000_000;

/** SQL: the bucket of a DOUBLE value expression (ln γ spelled out so SQL and JS agree on it). */
export function ddBucketSql(value: string): string {
  return `(CASE WHEN ${value} <= 0 THEN ${DD_ZERO_BUCKET} ELSE ceil(ln(${value}) / ${LN_GAMMA}::DOUBLE)::INTEGER END)`;
}

export function ddBucket(value: number): number {
  return value <= 0 ? DD_ZERO_BUCKET : Math.ceil(Math.log(value) / LN_GAMMA);
}

/** The value a bucket stands for. */
export function ddValue(bucket: number): number {
  return bucket === DD_ZERO_BUCKET ? 0 : (2 * DD_GAMMA ** bucket) / (DD_GAMMA + 1);
}

/**
 * Interpolated quantiles from buckets sorted ascending. `counts[i]` values fell in `buckets[i]`.
 * Returns NaN for each q when there are no values.
 */
export function ddQuantiles(
  buckets: ArrayLike<number>,
  counts: ArrayLike<number>,
  qs: readonly number[],
  from = 0,
  to = buckets.length,
): number[] {
  let total = 0;
  for (let i = from; i < to; i++) total += counts[i];
  if (total === 0) return qs.map(() => NaN);
  return qs.map((q) => {
    const h = (total - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.ceil(h);
    const vLo = valueAtRank(buckets, counts, lo, from, to);
    const vHi = hi === lo ? vLo : valueAtRank(buckets, counts, hi, from, to);
    return vLo + (h - lo) * (vHi - vLo);
  });
}

function valueAtRank(buckets: ArrayLike<number>, counts: ArrayLike<number>, rank: number, from: number, to: number): number {
  let seen = 0;
  for (let i = from; i < to; i++) {
    seen += counts[i];
    if (seen > rank) return ddValue(buckets[i]);
  }
  return ddValue(buckets[to - 1]);
}

/** A sketch as a bucket -> count map (tests, references). */
export function ddSketchOf(values: Iterable<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (const v of values) {
    const b = ddBucket(v);
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return m;
}

/** Merges `from` into `into` (sum per bucket). */
export function ddMerge(into: Map<number, number>, from: ReadonlyMap<number, number>): Map<number, number> {
  for (const [b, n] of from) into.set(b, (into.get(b) ?? 0) + n);
  return into;
}

export function ddQuantilesOfMap(sketch: ReadonlyMap<number, number>, qs: readonly number[]): number[] {
  const keys = [...sketch.keys()].sort((a, b) => a - b);
  return ddQuantiles(
    keys,
    keys.map((k) => sketch.get(k) ?? 0),
    qs,
  );
}
