/**
 * The data lifecycle: retention, erasure, subject access, exports, rebuilds. Each job is one file;
 * this index is what the engine (telemetry-engine.ts) calls. See README.md.
 */
import type { Sql } from '../storage/duck.ts';
import { exportRegistry } from './export-registry.ts';

export { runRetention } from './retention.ts';
export { deleteSubject } from './erasure.ts';
export { exportSubject } from './subject-access.ts';
export { createExport, createSubjectExport, getExport, removeExpiredExports } from './export.ts';
export { sweepExports, EXPORT_TTL_MS } from './export-registry.ts';
export { rebuildAggregates } from './rebuild.ts';

/** Creates the lifecycle's tables (the exports registry) at open; idempotent. */
export async function init(sql: Sql): Promise<void> {
  await exportRegistry.createTable(sql);
}
