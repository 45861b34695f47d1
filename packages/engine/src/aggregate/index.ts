// STUB by the lead so the engine compiles; the metrics helper replaces this file.
import type { BatchAggregator } from './aggregator.ts';
export const metricsAggregator: BatchAggregator = { async init() {}, async applyBatch() {} };
