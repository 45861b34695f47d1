import type { DuckDBValue } from '@duckdb/node-api';
import type { Dimension, SegmentFilter } from '@telemetry/schema';
import { KIND_SCOPE_USER, KIND_USER, OCC_TABLE } from '../aggregate/tables.ts';
import type { Sql } from '../storage/duck.ts';
import { ints, queryColumns } from './columnar.ts';
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
 * Cell days packed in one INTEGER: a (relative to `$base`, < 2^19) above b − a (< 2^10) above the
 * arity (2 bits). Every result column costs a few native calls per 2,048-row chunk on the way to JS,
 * so cells travel as three INTEGER columns rather than six.
 */
export function cellDaysSql(base = '$base'): string {
  return `((((a - DATE '1970-01-01')::INTEGER - ${base}) << ${CELL_A_SHIFT}) | ((b - a)::INTEGER << ${CELL_GAP_SHIFT}) | arity::INTEGER)`;
}
const CELL_GAP_SHIFT = 2;
const CELL_A_SHIFT = 12;
const CELL_GAP_MASK = (1 << (CELL_A_SHIFT - CELL_GAP_SHIFT)) - 1;

/** Unpacks cellDaysSql. */
export const cellArity = (days: number): number => days & 3;
export const cellA = (days: number): number => days >>> CELL_A_SHIFT;
export const cellB = (days: number): number => (days >>> CELL_A_SHIFT) + ((days >>> CELL_GAP_SHIFT) & CELL_GAP_MASK);

/**
 * SQL for the user cells of the scopes — a SELECT list of three INTEGERs: the scope key (times the
 * number of products, plus the product's index in catalog.products, when a group is limited to some
 * products), cellDaysSql, n; and its WHERE condition — with both days in [$lo, $hi] and at most `$gap`
 * (< 1,024) days apart (a window or period longer than that cannot hold both). The redundant
 * `b >= $lo` and `a <= $hi` let zone maps prune: cells are laid down as their later day arrives.
 */
export function userCellSql(scopes: UserScopes, catalog: Catalog): { select: string; where: string; params: Record<string, DuckDBValue> } {
  const keys = [...new Set(scopes.groups.map((g) => g.key))];
  const k = userCellKey(scopes, catalog);
  return {
    select: `${k.key}, ${cellDaysSql()}, n::INTEGER`,
    where: `kind = $kind AND ${keys.length === 1 ? 'key = $key' : 'key IN (SELECT unnest($keys::INTEGER[]))'} AND arity <= 2
            AND a >= $lo::DATE AND b <= $hi::DATE AND b >= $lo::DATE AND a <= $hi::DATE AND b - a <= $gap`,
    params: {
      kind: scopes.kind,
      ...(keys.length === 1 ? { key: keys[0] } : { keys: memberList(keys, 'int') }),
      ...(k.params.products ? { products: k.params.products } : {}),
    },
  };
}

/**
 * The first column of userCellSql on its own (the scope key, with the product folded in when a group
 * is limited to some products), and a cheap condition that keeps every key of the scopes (a range:
 * cellGroupLookup drops the others) — for a scan that reads other cells of occ_cells too.
 */
export function userCellKey(scopes: UserScopes, catalog: Catalog): { key: string; keyRange: string; params: Record<string, DuckDBValue> } {
  const keys = scopes.groups.map((g) => g.key);
  const byProduct = scopes.groups.some((g) => g.products !== null);
  return {
    key: byProduct ? `coalesce(key * ${Math.max(1, catalog.products.length)} + list_position($products::VARCHAR[], product_id) - 1, -1)` : 'key',
    keyRange: 'key BETWEEN $minKey AND $maxKey',
    params: { minKey: Math.min(...keys), maxKey: Math.max(...keys), ...(byProduct ? { products: memberList(catalog.products, 'text') } : {}) },
  };
}

/**
 * Group of a cell from the first column of userCellSql, −1 when in no group: a typed lookup, not a
 * string map (cell reads run to 100,000 rows).
 */
export function cellGroupLookup(scopes: UserScopes, catalog: Catalog): (keyProduct: number) => number {
  const byProduct = scopes.groups.some((g) => g.products !== null);
  const nP = byProduct ? Math.max(1, catalog.products.length) : 1;
  let maxKey = 0;
  for (const g of scopes.groups) maxKey = Math.max(maxKey, g.key);
  const table = new Int32Array((maxKey + 1) * nP).fill(-1);
  scopes.groups.forEach((g, gi) => {
    if (g.key < 0) return;
    if (g.products === null) for (let p = 0; p < nP; p++) table[g.key * nP + p] = gi;
    else for (const prod of g.products) {
      const p = catalog.products.indexOf(prod);
      if (p >= 0) table[g.key * nP + p] = gi;
    }
  });
  return (keyProduct) => (keyProduct >= 0 && keyProduct < table.length ? table[keyProduct] : -1);
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
  const q = userCellSql(scopes, catalog);
  const { rows, cols } = await queryColumns(sql, `SELECT ${q.select} FROM ${OCC_TABLE[scopes.kind]} WHERE ${q.where}`, {
    ...q.params,
    base: range.base,
    lo: range.lo,
    hi: range.hi,
    gap: range.maxGap,
  });
  const [keyProduct, days, n] = [0, 1, 2].map((i) => ints(cols, i));
  const groupOf = cellGroupLookup(scopes, catalog);
  const group = new Int32Array(rows);
  const arity = new Int32Array(rows);
  const a = new Int32Array(rows);
  const b = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    group[i] = groupOf(keyProduct[i]);
    arity[i] = cellArity(days[i]);
    a[i] = cellA(days[i]);
    b[i] = cellB(days[i]);
  }
  return { rows, group, arity, a, b, n };
}
