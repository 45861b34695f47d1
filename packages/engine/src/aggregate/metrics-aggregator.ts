import type { Sql } from '../storage/duck.ts';
import type { BatchAggregator } from './aggregator.ts';
import { bumpVersion, dropBatchTemps, foldEvents } from './fold-events.ts';
import { foldOccurrences } from './occurrences.ts';
import { foldScopes } from './fold-scopes.ts';
import { createAggregateTables } from './tables.ts';

/**
 * The BatchAggregator of the five metric families. The loader calls `applyBatch` inside the
 * transaction that commits the batch's Parquet files to the manifest, so the aggregates and the raw
 * files never disagree after a crash; every statement here is incremental (cost ∝ the batch).
 */
export const metricsAggregator: BatchAggregator = {
  init: createAggregateTables,
  async applyBatch(sql: Sql, table: string): Promise<void> {
    await foldEvents(sql, table);
    await foldScopes(sql);
    await foldOccurrences(sql);
    await bumpVersion(sql);
    await dropBatchTemps(sql);
  },
};
