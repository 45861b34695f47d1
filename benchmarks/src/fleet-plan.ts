import type { Day } from '@telemetry/schema';
import { BAD_VERSION, DEFAULT_PRODUCT_NAMES, FEATURES, VERSION_TRAIN } from './fleet-model.ts';

export const MS_PER_DAY = 86_400_000;
const PRODUCT_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** What to generate. Only `seed` and `events` matter for most uses; the rest has realistic defaults. */
export interface FleetOptions {
  /** Same seed and options, same stream, event for event. Default 1. */
  readonly seed?: number;
  /** Exactly this many items are emitted (valid, late, re-sent and malformed together). Default 1,000,000. */
  readonly events?: number;
  /** Days of history, ending with `endDay`. Default 90. */
  readonly days?: number;
  /** The last day (UTC, `YYYY-MM-DD`). Default: today (UTC) — pass it for a reproducible stream. */
  readonly endDay?: string;
  /** Distinct users over the whole range (they join, churn and return). Default events / 150. */
  readonly users?: number;
  /** Product ids, or how many of the default ones. Default 3. */
  readonly products?: number | readonly string[];
  /** Share of events that arrive 1-5 days after their day (whole offline sessions). Default 0.03. */
  readonly lateFraction?: number;
  /** Share of emitted items that re-send an earlier event unchanged. Default 0.005. */
  readonly duplicateFraction?: number;
  /** Share of emitted items that break the ingest contract. Default 0.001. */
  readonly malformedFraction?: number;
  /** Upper bound on events held back (late or to be re-sent); past it the oldest go out early. Default 250,000. */
  readonly maxPending?: number;
}

export interface PlannedFeature {
  readonly name: string;
  /** No `feature_used` event of this feature has a timestamp before this day. */
  readonly releaseDay: Day;
  readonly releaseIndex: number;
  readonly weight: number;
}

export interface PlannedVersion {
  readonly version: string;
  readonly releaseDay: Day;
  readonly releaseIndex: number;
}

/** The resolved options and the timeline the stream follows: what a benchmark or test can assert against. */
export interface FleetPlan {
  readonly seed: number;
  readonly events: number;
  readonly days: number;
  readonly startDay: Day;
  readonly endDay: Day;
  readonly startMs: number;
  readonly users: number;
  readonly products: readonly string[];
  readonly lateFraction: number;
  readonly duplicateFraction: number;
  readonly malformedFraction: number;
  readonly maxPending: number;
  /** Day indexes count from `startDay` = 0; a negative index means before the range. */
  readonly features: readonly PlannedFeature[];
  readonly versions: readonly PlannedVersion[];
  readonly badVersion: string;
}

/** Resolves options and their defaults into the fleet's timeline. Throws RangeError on nonsense input. */
export function planFleet(options: FleetOptions = {}): FleetPlan {
  const seed = options.seed ?? 1;
  const events = options.events ?? 1_000_000;
  const days = options.days ?? 90;
  const endDay = (options.endDay ?? dayOf(Date.now())) as Day;
  requireInteger('events', events, 0);
  requireInteger('days', days, 1);
  requireInteger('seed', seed, -(2 ** 31));
  if (!DAY_RE.test(endDay) || dayOf(Date.parse(`${endDay}T00:00:00Z`)) !== endDay) {
    throw new RangeError(`endDay must be a YYYY-MM-DD calendar day, got ${JSON.stringify(endDay)}`);
  }
  const users = options.users ?? Math.max(50, Math.round(events / 150));
  requireInteger('users', users, 1);
  const products = resolveProducts(options.products ?? 3);
  const lateFraction = fraction('lateFraction', options.lateFraction ?? 0.03);
  const duplicateFraction = fraction('duplicateFraction', options.duplicateFraction ?? 0.005);
  const malformedFraction = fraction('malformedFraction', options.malformedFraction ?? 0.001);
  const maxPending = options.maxPending ?? 250_000;
  requireInteger('maxPending', maxPending, 1);

  const endMs = Date.parse(`${endDay}T00:00:00Z`);
  const startMs = endMs - (days - 1) * MS_PER_DAY;
  const dayIndexAt = (at: number): number =>
    at < 0 ? -30 : Math.min(days - 1, Math.max(0, Math.round(at * (days - 1))));
  const dayAt = (index: number): Day => dayOf(startMs + index * MS_PER_DAY);

  const versions = VERSION_TRAIN.map((v) => ({
    version: v.version,
    releaseIndex: dayIndexAt(v.at),
    releaseDay: dayAt(dayIndexAt(v.at)),
  }));
  // Short ranges squeeze releases onto the same day; the hotfix must still come after the bad version.
  for (let i = 1; i < versions.length; i++) {
    if (versions[i].releaseIndex <= versions[i - 1].releaseIndex && versions[i].releaseIndex >= 0) {
      const index = versions[i - 1].releaseIndex + 1;
      versions[i] = { ...versions[i], releaseIndex: index, releaseDay: dayAt(index) };
    }
  }
  const features = FEATURES.map((f) => ({
    name: f.name,
    weight: f.weight,
    releaseIndex: dayIndexAt(f.at),
    releaseDay: dayAt(dayIndexAt(f.at)),
  }));

  return {
    seed,
    events,
    days,
    startDay: dayAt(0),
    endDay,
    startMs,
    users,
    products,
    lateFraction,
    duplicateFraction,
    malformedFraction,
    maxPending,
    features,
    versions,
    badVersion: BAD_VERSION,
  };
}

/** The UTC day containing `ms`. */
export function dayOf(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10) as Day;
}

function resolveProducts(products: number | readonly string[]): string[] {
  if (typeof products === 'number') {
    requireInteger('products', products, 1);
    if (products > DEFAULT_PRODUCT_NAMES.length) {
      throw new RangeError(
        `products must be at most ${DEFAULT_PRODUCT_NAMES.length} as a count; pass a list for more`,
      );
    }
    return DEFAULT_PRODUCT_NAMES.slice(0, products);
  }
  if (products.length === 0) throw new RangeError('products must not be empty');
  for (const p of products) {
    if (!PRODUCT_ID_RE.test(p)) throw new RangeError(`product id ${JSON.stringify(p)} must match [A-Za-z0-9._-]{1,64}`);
  }
  if (new Set(products).size !== products.length) throw new RangeError('product ids must be distinct');
  return [...products];
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

function fraction(name: string, value: number): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${name} must be in [0, 1), got ${value}`);
  return value;
}
