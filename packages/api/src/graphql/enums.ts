import { registerEnumType } from 'type-graphql';
import { DIMENSIONS, EXPORT_DATASETS, EXPORT_FORMATS, GRANULARITIES, PRECISIONS } from '@telemetry/schema';

/** `{ A: 'A', B: 'B' }` from a list of names: GraphQL enum values equal to the engine's strings. */
function namesOf<const T extends readonly string[]>(names: T): { readonly [K in T[number]]: K } {
  return Object.fromEntries(names.map((n) => [n, n])) as { readonly [K in T[number]]: K };
}

export const Granularity = namesOf(GRANULARITIES);
export const Precision = namesOf(PRECISIONS);
export const Dimension = namesOf(DIMENSIONS);
export const ExportFormat = namesOf(EXPORT_FORMATS);
export const ExportDataset = namesOf(EXPORT_DATASETS);

/** Who made a change (engine ActorRole); GraphQL names upper case, values as the engine writes them. */
export const ActorRole = {
  ADMIN: 'admin',
  VIEWER: 'viewer',
  INGEST: 'ingest',
  LIBRARY: 'library',
  SYSTEM: 'system',
} as const;

/** Kinds of audit entries (engine AuditKind). */
export const AuditKind = {
  SETTINGS_CHANGED: 'settings_changed',
  RETENTION_RUN: 'retention_run',
  SUBJECT_ERASED: 'subject_erased',
  EXPORT_CREATED: 'export_created',
  AGGREGATES_REBUILT: 'aggregates_rebuilt',
} as const;

registerEnumType(Granularity, { name: 'Granularity', description: 'DAY; WEEK = ISO week (Monday first); MONTH = calendar month.' });
registerEnumType(Precision, {
  name: 'Precision',
  description: 'APPROXIMATE: from materialized aggregates; EXACT: from raw events.',
});
registerEnumType(Dimension, { name: 'Dimension' });
registerEnumType(ExportFormat, { name: 'ExportFormat', description: 'ARROW = Arrow IPC stream.' });
registerEnumType(ExportDataset, { name: 'ExportDataset' });
registerEnumType(ActorRole, { name: 'ActorRole', description: 'Who made a change.' });
registerEnumType(AuditKind, { name: 'AuditKind' });
