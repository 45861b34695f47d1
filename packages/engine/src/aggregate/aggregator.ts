import type { Sql } from '../storage/duck.ts';

/**
 * The seam between the write path and the materialized aggregates. The loader calls these inside
 * its own transaction, so an event is in the aggregates exactly when its Parquet file is in the
 * manifest: a crash leaves both or neither.
 */
export interface BatchAggregator {
  /** Creates the aggregate tables if they do not exist (idempotent; called at open). */
  init(sql: Sql): Promise<void>;
  /**
   * Folds a batch of NEW events (already deduplicated against everything stored) into the
   * aggregates. `table` holds RAW_COLUMNS plus `day DATE`. Runs inside the loader's transaction.
   */
  applyBatch(sql: Sql, table: string): Promise<void>;
}
