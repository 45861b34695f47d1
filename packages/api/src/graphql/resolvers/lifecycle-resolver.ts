import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import { BadInputError, type DeletionReport, type RetentionReport } from '@telemetry/schema';
import type { Subject } from '@telemetry/engine';
import { filterArg, rangeArg } from '../arguments.ts';
import type { ApiContext } from '../context.ts';
import { CreateExportArgsType, DeleteSubjectArgsType } from '../types/args.ts';
import { DeletionReportType, ExportType, RetentionReportType } from '../types/lifecycle.ts';

const MAX_SUBJECT_ID_LENGTH = 128;

/** Exactly one of userId / licenseId, non-empty (api.graphql: "Exactly one argument"). */
function subjectArg(userId: string | null | undefined, licenseId: string | null | undefined): Subject {
  const given = [userId, licenseId].filter((v) => v !== null && v !== undefined);
  if (given.length !== 1) {
    throw new BadInputError('userId', `deleteSubject needs exactly one argument, userId or licenseId; got ${given.length}`);
  }
  const [field, value] = userId !== null && userId !== undefined ? (['userId', userId] as const) : (['licenseId', licenseId as string] as const);
  if (value.length === 0 || value.length > MAX_SUBJECT_ID_LENGTH) {
    throw new BadInputError(field, `${field} must be 1..${MAX_SUBJECT_ID_LENGTH} characters`);
  }
  return field === 'userId' ? { userId: value } : { licenseId: value };
}

@Resolver()
export class LifecycleResolver {
  @Mutation(() => RetentionReportType, {
    description: 'Runs the daily retention job now: aggregate what is not yet aggregated, then drop the expired days.',
    complexity: 50,
  })
  runRetention(@Ctx() { engine, role }: ApiContext): Promise<RetentionReport> {
    return engine.runRetention(role);
  }

  @Mutation(() => DeletionReportType, {
    description: 'Erases every stored event of one user or one license (GDPR erasure). Exactly one argument.',
    complexity: 50,
  })
  deleteSubject(@Ctx() { engine, role }: ApiContext, @Args(() => DeleteSubjectArgsType) a: DeleteSubjectArgsType): Promise<DeletionReport> {
    return engine.deleteSubject(subjectArg(a.userId, a.licenseId), role);
  }

  @Mutation(() => ExportType, { complexity: 50 })
  async createExport(@Ctx() { engine, role }: ApiContext, @Args(() => CreateExportArgsType) a: CreateExportArgsType): Promise<ExportType> {
    const info = await engine.createExport({ dataset: a.dataset, format: a.format, range: rangeArg(a.range), filter: filterArg(a.filter) }, role);
    return {
      id: info.id,
      url: `/exports/${encodeURIComponent(info.id)}`,
      format: info.format,
      dataset: info.dataset,
      rows: info.rows,
      bytes: info.bytes,
      expiresAt: info.expiresAt,
    };
  }
}
