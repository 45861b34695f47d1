// The public surface of @telemetry/benchmarks.

// Synthetic fleet
export { emptyFleetStats, fleetBatches, generateFleet, planFleet, writeFleetNdjson } from './generator.ts';
export type { FleetStreamOptions, NdjsonWriteOptions, NdjsonWriteResult } from './generator.ts';
export type { FleetOptions, FleetPlan, PlannedFeature, PlannedVersion } from './fleet-plan.ts';
export type { FleetEvent, FleetItem, FleetStats } from './fleet-simulator.ts';
export type { MalformedEvent } from './malformed.ts';
export { BAD_VERSION, COUNTRIES, FEATURES, OS_PROFILES, VERSION_TRAIN } from './fleet-model.ts';
export { SeededRandom } from './rng.ts';
export { isValidWireEvent, wireEventProblem } from './event-check.ts';

// PostgreSQL peer
export { createEventsTable, loadIntoPostgres, runPostgresQueries, startPostgres } from './postgres-peer.ts';
export type {
  PostgresLoadMethod,
  PostgresLoadOptions,
  PostgresLoadResult,
  PostgresQueryRun,
  PostgresQueryTiming,
  PostgresServer,
  PostgresStart,
  StartPostgresOptions,
} from './postgres-peer.ts';
export { pgActiveUsers, pgCrashRate, pgFeatureAdoption, pgLatency, pgRetentionCohorts } from './postgres-queries.ts';
export type { PostgresQueryOptions } from './postgres-queries.ts';

// Measuring
export {
  formatCount,
  formatDuration,
  formatRate,
  formatTable,
  p95,
  peakRssMb,
  percentile,
  printTable,
  ProgressReporter,
  ratePerSecond,
  startRssSampler,
} from './stats.ts';
export type { ProgressOptions, TableValue } from './stats.ts';
