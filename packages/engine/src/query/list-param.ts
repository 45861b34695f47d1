import { type DuckDBValue, listValue } from '@duckdb/node-api';

/**
 * A list parameter for membership tests (`x IN (SELECT unnest($p::T[]))`). DuckDB cannot bind an
 * empty list of unknown type, so an empty list is bound as one value no stored row has (ids are
 * positive, product ids and names are non-empty): the membership test matches nothing either way.
 */
export function memberList(values: readonly (string | number)[], kind: 'int' | 'text'): DuckDBValue {
  if (values.length > 0) return listValue([...values]);
  return listValue([kind === 'int' ? -1 : '']);
}
