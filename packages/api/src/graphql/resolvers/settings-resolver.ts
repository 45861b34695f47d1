import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { validateSettingsInput, type TelemetrySettings } from '@telemetry/schema';
import type { PendingDeletion, SettingsChange } from '@telemetry/engine';
import { limitArg, storageDaysArg } from '../arguments.ts';
import type { ApiContext } from '../context.ts';
import { TelemetrySettingsInputType } from '../types/inputs.ts';
import { PendingDeletionType, SettingsChangeType, StorageEstimateType, TelemetrySettingsType } from '../types/settings.ts';

const MAX_HISTORY = 1000;

@Resolver(() => TelemetrySettingsType)
export class SettingsResolver {
  @Query(() => TelemetrySettingsType)
  settings(@Ctx() { engine }: ApiContext): TelemetrySettings {
    return engine.getSettings();
  }

  @FieldResolver(() => PendingDeletionType, { description: 'What the next retention run would delete with these settings.', complexity: 5 })
  pendingDeletion(@Root() settings: TelemetrySettings, @Ctx() { engine }: ApiContext): Promise<PendingDeletion> {
    return engine.pendingDeletion(settings.storageDurationDays);
  }

  @Query(() => [SettingsChangeType], { description: 'Every settings change, newest first.', complexity: 5 })
  settingsHistory(
    @Ctx() { engine }: ApiContext,
    @Arg('limit', () => Int, { nullable: true, defaultValue: 100 }) limit: number | null,
  ): SettingsChange[] {
    const n = limitArg(limit ?? 100, MAX_HISTORY);
    // The engine keeps them in the order they happened (two may share a timestamp).
    return engine.settingsHistory().slice(-n).reverse();
  }

  @Query(() => StorageEstimateType, {
    description: 'What storage would keep and the next retention run would delete with another storage duration (1..730).',
    complexity: 10,
  })
  async storageEstimate(
    @Ctx() { engine }: ApiContext,
    @Arg('storageDurationDays', () => Int) storageDurationDays: number,
  ): Promise<StorageEstimateType> {
    const days = storageDaysArg(storageDurationDays);
    const [pending, status] = await Promise.all([engine.pendingDeletion(days), engine.storageStatus()]);
    let keptEvents = 0;
    let keptBytes = 0;
    for (const p of status.partitions) {
      if (p.day < pending.oldestKeptDay) continue;
      keptEvents += p.events;
      keptBytes += p.bytes;
    }
    return {
      storageDurationDays: days,
      oldestKeptDay: pending.oldestKeptDay as StorageEstimateType['oldestKeptDay'],
      deletedDays: pending.days,
      deletedEvents: pending.events,
      keptEvents,
      keptBytes,
    };
  }

  @Mutation(() => TelemetrySettingsType, { complexity: 10 })
  updateSettings(
    @Ctx() { engine, role }: ApiContext,
    @Arg('input', () => TelemetrySettingsInputType) input: TelemetrySettingsInputType,
  ): Promise<TelemetrySettings> {
    const update = { enabled: input.enabled ?? undefined, storageDurationDays: input.storageDurationDays ?? undefined };
    validateSettingsInput(update);
    return engine.updateSettings(update, role);
  }
}
