import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import './enums.ts';
// Import order is the order of fields in the schema: the contract's first, additions last.
import { SettingsResolver } from './resolvers/settings-resolver.ts';
import { StorageResolver } from './resolvers/storage-resolver.ts';
import { MetricsResolver } from './resolvers/metrics-resolver.ts';
import { LifecycleResolver } from './resolvers/lifecycle-resolver.ts';
import { AuditResolver } from './resolvers/audit-resolver.ts';

export const RESOLVERS = [SettingsResolver, StorageResolver, MetricsResolver, LifecycleResolver, AuditResolver] as const;

let built: Promise<GraphQLSchema> | null = null;

/**
 * The executable schema of api.graphql (plus the additions documented on each field), built from
 * the type-graphql classes once per process.
 */
export function telemetrySchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers: [...RESOLVERS], validate: false, nullableByDefault: false }).catch((err: unknown) => {
    built = null;
    throw err;
  });
  return built;
}
