import { expect } from 'vitest';

/** metrics.md: distinct counts within 2% or 2, whichever is larger. */
export function expectDistinct(actual: number, exact: number, what: string): void {
  const bound = Math.max(2, 0.02 * exact);
  if (Math.abs(actual - exact) > bound) {
    expect.fail(`${what}: ${actual} is not within ${bound.toFixed(1)} of ${exact}`);
  }
}

/** metrics.md: percentiles within 2% relative. */
export function expectPercentile(actual: number, exact: number, what: string): void {
  if (Math.abs(actual - exact) > 0.02 * Math.abs(exact) + 1e-9) {
    expect.fail(`${what}: ${actual} is not within 2% of ${exact}`);
  }
}

/** Same keys in the same order. */
export function expectSameKeys<T>(actual: readonly T[], exact: readonly T[], key: (x: T) => string, what: string): void {
  expect(actual.map(key), what).toEqual(exact.map(key));
}

/** Relative error, for reports. */
export function relError(actual: number, exact: number): number {
  return exact === 0 ? (actual === 0 ? 0 : Infinity) : Math.abs(actual - exact) / exact;
}
