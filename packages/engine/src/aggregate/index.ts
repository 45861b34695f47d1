export type { BatchAggregator } from './aggregator.ts';
export { metricsAggregator } from './metrics-aggregator.ts';
export { eraseUserState, pruneUserState, type PruneReport } from './prune.ts';
export { rebuildAggregates, type RebuildOptions, type RebuildResult } from './rebuild.ts';
export { aggregateBytes, aggregateSize, type AggregateSize } from './size.ts';
export { exportDailyAggregates } from './export.ts';
