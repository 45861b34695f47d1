/**
 * The stored shape of one event: the columns of every raw Parquet file and of the `new_events`
 * table the loader hands to the aggregator. `day` is the Hive partition column: it lives in the
 * directory name (`events/day=YYYY-MM-DD/`), not inside the files.
 *
 * user_hash / license_hash are the first 64 bits of HMAC-SHA256(secret, id): pseudonyms that are
 * stable per deployment, uniformly distributed (so they double as the HyperLogLog hash), and not
 * reversible without the secret.
 */
export const RAW_COLUMNS = {
  event_id: 'VARCHAR',
  product_id: 'VARCHAR',
  ts: 'TIMESTAMP',
  type: 'VARCHAR',
  user_hash: 'UBIGINT',
  session_id: 'VARCHAR',
  name: 'VARCHAR',
  value: 'DOUBLE',
  app_version: 'VARCHAR',
  os: 'VARCHAR',
  os_version: 'VARCHAR',
  country: 'VARCHAR',
  license_hash: 'UBIGINT',
  license_type: 'VARCHAR',
  properties: 'VARCHAR',
} as const;

export type RawColumn = keyof typeof RAW_COLUMNS;
export const RAW_COLUMN_NAMES = Object.keys(RAW_COLUMNS) as RawColumn[];

/** Dimension enum value -> stored column. The only way a dimension reaches SQL text. */
export const DIMENSION_COLUMNS = {
  PRODUCT: 'product_id',
  APP_VERSION: 'app_version',
  OS: 'os',
  COUNTRY: 'country',
  LICENSE_TYPE: 'license_type',
} as const;

/** SegmentFilter field -> stored column. */
export const FILTER_COLUMNS = {
  products: 'product_id',
  appVersions: 'app_version',
  os: 'os',
  countries: 'country',
  licenseTypes: 'license_type',
} as const;
