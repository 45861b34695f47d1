import type { Dimension, SegmentFilter } from '@telemetry/schema';
import { KIND_SCOPE_USER, KIND_USER } from '../aggregate/tables.ts';
import type { Sql } from '../storage/duck.ts';
import { ints, readColumns } from './columnar.ts';
import { memberList } from './list-param.ts';
import type { Catalog, Selection } from './segments.ts';

/**
 * Which exact per-entity cells answer a users question, if any. Users are counted exactly
 * (occurrence cells, aggregate/occurrences.ts) over all events of a product (kind 1) or over the
 * events with one dimension value (kind 3). A group of the answer must be one such scope, summed over
 * products (a user belongs to one product): so a filter may name any products and, besides, at most
 * one other dimension — with one value, or several when the breakdown is that dimension. Anything
 * else (two dimensions, or several values of one without breaking down by it) has no exact scope:
 * the caller falls back to HyperLogLog.
 */
export interface UserScopes {
  readonly kind: typeof KIND_USER | typeof KIND_SCOPE_USER;
  /** Per group (in Selection.labels order): the scope key (0 for kind 1) and its products (null = all). */
  readonly groups: readonly { key: number; products: readonly string[] | null }[];
}

const DIM_FIELD = { APP_VERSION: 'app_version', OS: 'os', COUNTRY: 'country', LICENSE_TYPE: 'license_type' } as const;
const FILTER_DIM = { appVersions: 'APP_VERSION', os: 'OS', countries: 'COUNTRY', licenseTypes: 'LICENSE_TYPE' } as const;

export function planUserScopes(catalog: Catalog, filter: SegmentFilter, breakdownBy: Dimension | null, sel: Selection): UserScopes | null {
  const products = filter.products && filter.products.length > 0 ? filter.products : null;
  const dims = (Object.keys(FILTER_DIM) as (keyof typeof FILTER_DIM)[]).filter((k) => (filter[k]?.length ?? 0) > 0);
  if (dims.length > 1) return null;
  const labels = sel.labels;
  if (dims.length === 0) {
    if (breakdownBy === null) return { kind: KIND_USER, groups: [{ key: 0, products }] };
    if (breakdownBy === 'PRODUCT') return { kind: KIND_USER, groups: labels.map((l) => ({ key: 0, products: [l!] })) };
    return { kind: KIND_SCOPE_USER, groups: labels.map((l) => ({ key: keyOf(catalog, breakdownBy, l!), products })) };
  }
  const dim = FILTER_DIM[dims[0]];
  const values = filter[dims[0]]!;
  if (breakdownBy === dim) return { kind: KIND_SCOPE_USER, groups: labels.map((l) => ({ key: keyOf(catalog, dim, l!), products })) };
  if (values.length !== 1) return null;
  const key = keyOf(catalog, dim, values[0]);
  if (breakdownBy === null) return { kind: KIND_SCOPE_USER, groups: [{ key, products }] };
  if (breakdownBy === 'PRODUCT') return { kind: KIND_SCOPE_USER, groups: labels.map((l) => ({ key, products: [l!] })) };
  return null;
}

/** The agg_dim_value id of a value (-1 when never seen: matches no cell). */
function keyOf(catalog: Catalog, dim: Exclude<Dimension, 'PRODUCT'>, value: string): number {
  return catalog.dimValues.get(`${DIM_FIELD[dim]}\u001f${value}`) ?? -1;
}

export interface CellRows {
  readonly rows: number;
  /** Group index per row (-1: not in any group). */
  readonly group: Int32Array;
  readonly arity: Int32Array;
  /** Days relative to `base`. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly n: Int32Array;
}

/**
 * The arity-1 and arity-2 cells of the scopes with both days in [lo, hi] and at most `maxGap` days
 * apart (a window or period longer than that cannot hold both), with their group.
 */
export async function readUserCells(
  sql: Sql,
  catalog: Catalog,
  scopes: UserScopes,
  range: { lo: string; hi: string; base: number; maxGap: number },
): Promise<CellRows> {
  const products = catalog.products;
  const { rows, cols } = await readColumns(
    sql,
    `SELECT key, (list_position($products::VARCHAR[], product_id) - 1)::INTEGER AS p, arity::INTEGER,
            (a - DATE '1970-01-01')::INTEGER - $base AS a, (b - DATE '1970-01-01')::INTEGER - $base AS b, n::INTEGER
     FROM occ_cells
     WHERE kind = $kind AND key IN (SELECT unnest($keys::INTEGER[])) AND arity <= 2
       AND a >= $lo::DATE AND b <= $hi::DATE AND b - a <= $gap`,
    {
      products: memberList(products, 'text'),
      kind: scopes.kind,
      keys: memberList([...new Set(scopes.groups.map((g) => g.key))], 'int'),
      base: range.base,
      lo: range.lo,
      hi: range.hi,
      gap: range.maxGap,
    },
  );
  const [key, p, arity, a, b, n] = [0, 1, 2, 3, 4, 5].map((i) => ints(cols, i));
  // (key, product) -> group
  const lookup = new Map<string, number>();
  scopes.groups.forEach((g, gi) => {
    for (const prod of g.products ?? products) lookup.set(`${g.key}|${products.indexOf(prod)}`, gi);
  });
  const group = new Int32Array(rows);
  for (let i = 0; i < rows; i++) group[i] = lookup.get(`${key[i]}|${p[i]}`) ?? -1;
  return { rows, group, arity, a, b, n };
}
