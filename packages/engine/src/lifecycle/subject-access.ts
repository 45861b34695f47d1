import type { Day } from '@telemetry/schema';
import type { StoredEventRow, Subject } from '../engine.ts';
import { scanRows } from '../storage/scan.ts';
import type { EngineInternals } from '../telemetry-engine.ts';
import { checkSubject } from './inputs.ts';

/**
 * A data access request: every stored raw event of one subject (all stored days, time order),
 * pseudonymized as stored. Flushes first. As a file: `createSubjectExport` (export.ts).
 *
 * @example
 * for await (const row of exportSubject(internals, { userId: 'u-123' })) console.log(row.type, row.timestamp);
 */
export async function* exportSubject(e: EngineInternals, subject: Subject): AsyncIterable<StoredEventRow> {
  const s = checkSubject(subject);
  await e.flush();
  const days = e.manifest.days();
  if (days.length === 0) return;
  yield* scanRows(e, { range: { from: days[0] as Day, to: days[days.length - 1] as Day }, subject: s });
}
