export type { FileLease, QueryContext } from './context.ts';
export { activeUsers } from './active-users.ts';
export { featureAdoption } from './feature-adoption.ts';
export { latency } from './latency.ts';
export { crashRate } from './crash-rate.ts';
export { retentionCohorts } from './retention-cohorts.ts';
