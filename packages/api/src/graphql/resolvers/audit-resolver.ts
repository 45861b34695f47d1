import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { AuditEntry } from '@telemetry/engine';
import { limitArg } from '../arguments.ts';
import type { ApiContext } from '../context.ts';
import { AuditLogArgsType } from '../types/args.ts';
import { AuditEntryType } from '../types/audit.ts';

const MAX_AUDIT_ENTRIES = 1000;

@Resolver()
export class AuditResolver {
  @Query(() => [AuditEntryType], { description: 'Recorded changes and jobs, newest first.', complexity: 10 })
  auditLog(@Ctx() { engine }: ApiContext, @Args(() => AuditLogArgsType) a: AuditLogArgsType): Promise<AuditEntry[]> {
    return engine.auditLog({ limit: limitArg(a.limit ?? 100, MAX_AUDIT_ENTRIES), kinds: a.kinds && a.kinds.length > 0 ? a.kinds : undefined });
  }
}
