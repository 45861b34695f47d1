import type { Dimension, SegmentFilter } from '@telemetry/schema';
import { SCOPE_SUM_DIMENSIONS } from '../aggregate/tables.ts';
import { idsSql } from './list-param.ts';
import type { Catalog, Selection } from './segments.ts';

/**
 * Which scope_sums rows (aggregate/tables.ts: feature uses and latency buckets per scope) answer a
 * sum question, if any. A scope key is 0 (all events) or an agg_dim_value id (one value of one of
 * SCOPE_SUM_DIMENSIONS: OS, license type). Every event lies in exactly one key per dimension, so a
 * group of the answer is a sum over keys of ONE dimension: the filter may constrain one of those
 * dimensions (products count as another), and the breakdown must be none or that same dimension (or
 * one of them without a filter). Anything else sums segments (segments.ts). The sums are the same
 * integers either way: the answers do not change, only the rows read.
 */
export interface ScopeKeys {
  /** Per group (in Selection.labels order): its distinct keys (empty: nothing matches). */
  readonly groups: readonly (readonly number[])[];
}

const FILTER_DIM = {
  products: 'PRODUCT',
  appVersions: 'APP_VERSION',
  os: 'OS',
  countries: 'COUNTRY',
  licenseTypes: 'LICENSE_TYPE',
} as const satisfies Record<keyof SegmentFilter, Dimension>;

const DIM_FIELD = { APP_VERSION: 'app_version', OS: 'os', COUNTRY: 'country', LICENSE_TYPE: 'license_type' } as const;

export function planScopeKeys(catalog: Catalog, filter: SegmentFilter, breakdownBy: Dimension | null, sel: Selection): ScopeKeys | null {
  const constrained = (Object.keys(FILTER_DIM) as (keyof SegmentFilter)[]).filter((k) => (filter[k]?.length ?? 0) > 0);
  if (constrained.length > 1) return null;
  const filterDim = constrained.length === 1 ? FILTER_DIM[constrained[0]] : null;
  if (filterDim && breakdownBy && breakdownBy !== filterDim) return null;
  const dim = filterDim ?? breakdownBy;
  if (dim === null) return { groups: [[0]] };
  if (dim === 'PRODUCT' || !(SCOPE_SUM_DIMENSIONS as readonly string[]).includes(DIM_FIELD[dim])) return null;
  const keyOf = keyLookup(catalog, dim);
  if (breakdownBy) return { groups: sel.labels.map((label) => known([keyOf(label!)])) };
  return { groups: [known([...new Set(filter[constrained[0]]!.map(keyOf))])] };
}

function known(keys: readonly (number | undefined)[]): number[] {
  return keys.filter((k): k is number => k !== undefined);
}

/** The scope key of a value of `dim` (undefined when never stored). */
function keyLookup(catalog: Catalog, dim: Exclude<Dimension, 'PRODUCT'>): (value: string) => number | undefined {
  const field = DIM_FIELD[dim];
  return (value) => catalog.dimValues.get(`${field}\u001f${value}`);
}

/**
 * ` JOIN (…) ON …` of a table's `column` with the plan's keys, yielding each row's group as
 * `<alias>.g` (segments.ts groupJoin, for scope keys). Keys travel as one string (list-param.ts).
 */
export function scopeJoin(plan: ScopeKeys, column: string, alias = 'sk'): { sql: string; g: string; params: Record<string, string> } {
  const keys: number[] = [];
  const groups: number[] = [];
  plan.groups.forEach((ks, g) => {
    for (const k of ks) {
      keys.push(k);
      groups.push(g);
    }
  });
  // No key at all: one that no row has (scope keys are 0 or stored ids, never negative).
  if (keys.length === 0) keys.push(NO_KEY), groups.push(0);
  return {
    sql: ` JOIN (SELECT ${idsSql('skeys')} AS ${alias}_key, ${idsSql('sgroups')} AS g) ${alias} ON ${alias}.${alias}_key = ${column}`,
    g: `${alias}.g`,
    params: { skeys: keys.join(','), sgroups: groups.join(',') },
  };
}

const NO_KEY = -(2 ** 31) + 1;
