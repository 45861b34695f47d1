import { Field, ObjectType } from 'type-graphql';
import { ActorRole, AuditKind } from '../enums.ts';
import { DateTimeScalar, JSONObjectScalar } from '../scalars.ts';

@ObjectType('AuditEntry', { description: 'One recorded change or job: settings, retention runs, erasures, exports.' })
export class AuditEntryType {
  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => AuditKind)
  kind!: string;

  @Field(() => ActorRole)
  role!: string;

  @Field(() => JSONObjectScalar, { description: 'kind-specific facts (never a subject id)' })
  details!: Record<string, unknown>;
}
