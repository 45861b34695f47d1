import { Ctx, Query, Resolver } from 'type-graphql';
import type { StorageStatus } from '@telemetry/schema';
import type { ApiContext } from '../context.ts';
import { StorageStatusType } from '../types/storage.ts';

@Resolver()
export class StorageResolver {
  @Query(() => StorageStatusType, { complexity: 5 })
  storage(@Ctx() { engine }: ApiContext): Promise<StorageStatus> {
    return engine.storageStatus();
  }
}
