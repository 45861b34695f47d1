// STUB by the lead: the lifecycle helper replaces these with retention.ts, erasure.ts, export.ts, rebuild.ts.
import type { ActorRole, DateRange, DeletionReport, RetentionReport } from '@telemetry/schema';
import type { ExportInfo, ExportRequest, Subject } from '../engine.ts';
import type { EngineInternals } from '../telemetry-engine.ts';
import type { Sql } from '../storage/duck.ts';

const todo = (): never => {
  throw new Error('not implemented yet');
};
/** Creates lifecycle tables (exports registry) at open. */
export async function init(_sql: Sql): Promise<void> {}
export async function rebuildAggregates(_e: EngineInternals, _r: DateRange): Promise<{ days: number; events: number }> {
  return todo();
}
export async function runRetention(_e: EngineInternals, _role: ActorRole): Promise<RetentionReport> {
  return todo();
}
export async function deleteSubject(_e: EngineInternals, _s: Subject, _role: ActorRole): Promise<DeletionReport> {
  return todo();
}
export async function createExport(_e: EngineInternals, _r: ExportRequest, _role: ActorRole): Promise<ExportInfo> {
  return todo();
}
export async function getExport(_e: EngineInternals, _id: string): Promise<ExportInfo | null> {
  return todo();
}
