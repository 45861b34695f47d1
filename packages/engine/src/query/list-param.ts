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

/**
 * A long list of ids (segments: thousands) as ONE VARCHAR parameter, `1,4,7`, read in SQL with
 * `idsSql`. Binding a list value costs a native call per element (about 2.5 ms for 5,000 ids, more
 * than many of the queries that need them); one string and DuckDB's string_split cost microseconds.
 * An empty list is `-1` (no stored id), as in memberList.
 */
export function idList(values: readonly number[]): string {
  return values.length > 0 ? values.join(',') : '-1';
}

/** SQL: the ids of an idList parameter as a column (`SELECT idsSql('segs') AS seg`; two in one SELECT zip). */
export function idsSql(param: string): string {
  return `unnest(string_split($${param}, ','))::INTEGER`;
}
