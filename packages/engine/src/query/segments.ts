import type { Dimension, SegmentFilter } from '@telemetry/schema';
import type { Sql, SqlPool } from '../storage/duck.ts';
import { memberList } from './list-param.ts';

export interface SegmentRow {
  readonly seg: number;
  readonly product_id: string;
  readonly app_version: string;
  readonly os: string;
  readonly country: string;
  readonly license_type: string;
}

/** What the aggregates look like now: the version counter and the (append-only) dictionaries. */
export interface Catalog {
  readonly version: number;
  /** Indexed by seg id (holes are undefined). */
  readonly segments: readonly (SegmentRow | undefined)[];
  /** Every product, sorted. */
  readonly products: readonly string[];
  readonly nameToId: ReadonlyMap<string, number>;
  readonly idToName: ReadonlyMap<number, string>;
  /** `${column}\u001f${value}` -> agg_dim_value id. */
  readonly dimValues: ReadonlyMap<string, number>;
}

interface CachedCatalog {
  version: number;
  segments: (SegmentRow | undefined)[];
  products: string[];
  maxSeg: number;
  nameToId: Map<string, number>;
  idToName: Map<number, string>;
  maxName: number;
  dimValues: Map<string, number>;
  maxDimValue: number;
}

const catalogs = new WeakMap<SqlPool, CachedCatalog>();

/**
 * Reads the aggregate version and whatever segments, names and dimension values appeared since the
 * last call (one small read when nothing is new: the high-water marks live in agg_meta). Ids are
 * never reused, so the cache only grows.
 */
export async function readCatalog(pool: SqlPool, sql: Sql): Promise<Catalog> {
  let c = catalogs.get(pool);
  if (!c) {
    c = { version: -1, segments: [], products: [], maxSeg: 0, nameToId: new Map(), idToName: new Map(), maxName: 0, dimValues: new Map(), maxDimValue: 0 };
    catalogs.set(pool, c);
  }
  const meta = new Map((await sql.all<{ key: string; value: number }>(`SELECT key, value FROM agg_meta`)).map((r) => [r.key, r.value]));
  const maxSeg = meta.get('max_seg') ?? 0;
  const maxName = meta.get('max_name') ?? 0;
  const maxDimValue = meta.get('max_dim_value') ?? 0;
  if (maxSeg > c.maxSeg) {
    const rows = await sql.all<SegmentRow & Record<string, unknown>>(
      `SELECT seg, product_id, app_version, os, country, license_type FROM agg_segment WHERE seg > $1 ORDER BY seg`,
      [c.maxSeg],
    );
    for (const r of rows) c.segments[r.seg] = r;
    c.products = [...new Set(c.segments.filter((r) => r).map((r) => r!.product_id))].sort();
    c.maxSeg = maxSeg;
  }
  if (maxName > c.maxName) {
    const rows = await sql.all<{ id: number; name: string }>(`SELECT id, name FROM agg_name WHERE id > $1`, [c.maxName]);
    for (const r of rows) {
      c.nameToId.set(r.name, r.id);
      c.idToName.set(r.id, r.name);
    }
    c.maxName = maxName;
  }
  if (maxDimValue > c.maxDimValue) {
    const rows = await sql.all<{ id: number; dim: string; value: string }>(`SELECT id, dim, value FROM agg_dim_value WHERE id > $1`, [c.maxDimValue]);
    for (const r of rows) c.dimValues.set(`${r.dim}\u001f${r.value}`, r.id);
    c.maxDimValue = maxDimValue;
  }
  c.version = meta.get('version') ?? 0;
  return c;
}

const DIMENSION_FIELD = {
  PRODUCT: 'product_id',
  APP_VERSION: 'app_version',
  OS: 'os',
  COUNTRY: 'country',
  LICENSE_TYPE: 'license_type',
} as const satisfies Record<Dimension, keyof SegmentRow>;

const FILTER_FIELD = {
  products: 'product_id',
  appVersions: 'app_version',
  os: 'os',
  countries: 'country',
  licenseTypes: 'license_type',
} as const satisfies Record<keyof SegmentFilter, keyof SegmentRow>;

/** A filter and breakdown resolved to segment ids and groups. */
export interface Selection {
  /** True without any filter: every segment is selected (queries skip the seg predicate). */
  readonly all: boolean;
  readonly segs: readonly number[];
  /** seg id -> group index, -1 when not selected. */
  readonly groupOf: Int32Array;
  /** Group labels: the breakdown values (sorted), or [null] without breakdown. */
  readonly labels: readonly (string | null)[];
  /**
   * The filter constrains only products and the breakdown is none or PRODUCT: per-product exact
   * cells answer (a user belongs to one product, so products add up).
   */
  readonly productLevel: boolean;
  /** Product of each group for product-level plans (breakdown PRODUCT), else null. */
  readonly products: readonly string[];
}

export function selectSegments(catalog: Catalog, filter: SegmentFilter, breakdownBy: Dimension | null): Selection {
  const checks = (Object.keys(FILTER_FIELD) as (keyof SegmentFilter)[])
    .filter((k) => (filter[k]?.length ?? 0) > 0)
    .map((k) => ({ field: FILTER_FIELD[k], values: new Set(filter[k]!) }));
  const dim = breakdownBy ? DIMENSION_FIELD[breakdownBy] : null;
  const segs: number[] = [];
  const labelSet = new Set<string>();
  const products = new Set<string>();
  for (const row of catalog.segments) {
    if (!row || !checks.every((c) => c.values.has(row[c.field]))) continue;
    segs.push(row.seg);
    products.add(row.product_id);
    if (dim) labelSet.add(row[dim]);
  }
  const labels: (string | null)[] = dim ? [...labelSet].sort() : [null];
  const index = new Map(labels.map((l, i) => [l, i]));
  const groupOf = new Int32Array(catalog.segments.length + 1).fill(-1);
  for (const s of segs) groupOf[s] = dim ? index.get(catalog.segments[s]![dim])! : 0;
  const productLevel = checks.every((c) => c.field === 'product_id') && (dim === null || dim === 'product_id');
  return {
    all: checks.length === 0,
    segs,
    groupOf,
    labels,
    productLevel,
    products: [...products].sort(),
  };
}

/** ` AND seg IN (…)` for a selection (nothing when every segment is selected), with its parameter. */
export function segPredicate(sel: Selection, column = 'seg'): { sql: string; params: Record<string, ReturnType<typeof memberList>> } {
  if (sel.all) return { sql: '', params: {} };
  return { sql: ` AND ${column} IN (SELECT unnest($segs::INTEGER[]))`, params: { segs: memberList(sel.segs, 'int') } };
}
