import type { SegmentFilter } from '@telemetry/schema';
import { FILTER_COLUMNS } from './columns.ts';

/**
 * A SegmentFilter as a SQL condition with bound parameters: each list OR-ed (IN), the lists
 * AND-ed. Column names come from the closed FILTER_COLUMNS map, values are always parameters.
 * `firstParam` is the number of the first `$n` placeholder to use.
 */
export function segmentFilterSql(
  filter: SegmentFilter | null | undefined,
  firstParam = 1,
  alias = '',
): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (filter) {
    for (const key of Object.keys(FILTER_COLUMNS) as (keyof typeof FILTER_COLUMNS)[]) {
      const values = filter[key];
      if (!values || values.length === 0) continue;
      const slots = values.map((v) => {
        params.push(String(v));
        return `$${firstParam + params.length - 1}`;
      });
      parts.push(`${alias}${FILTER_COLUMNS[key]} IN (${slots.join(', ')})`);
    }
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'true', params };
}
