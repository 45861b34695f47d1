import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lastDays } from '../query-set.ts';
import type { Stage } from '../run-state.ts';

/**
 * `retention.msPerDay`: after the queries, shorten the storage duration and run the retention job;
 * its wall time divided by the days it dropped. Also checks what metrics.md promises around it:
 * APPROXIMATE answers for dropped days do not change, and the dropped files are gone from disk.
 */
export const retentionStage: Stage = {
  name: 'retention',
  blockedBy: (state) => (state.library ? null : 'needs the engine of library-ingest'),
  async run({ state, put, note, problem }) {
    const { engine, dataDir } = state.library!;
    const keep = state.options.retentionKeepDays;
    const range = lastDays(state.plan.endDay, state.options.days);
    const probe = async (): Promise<string | null> => {
      try {
        return JSON.stringify([await engine.activeUsers({ range }), await engine.crashRate({ range, granularity: 'WEEK' })]);
      } catch {
        return null; // queries not available: the unchanged-answers check is skipped
      }
    };
    const answerBefore = await probe();
    const pending = await engine.pendingDeletion(keep);
    await engine.updateSettings({ storageDurationDays: keep });
    const t = performance.now();
    const report = await engine.runRetention();
    const wallMs = performance.now() - t;
    const dropped = report.droppedDays.length;
    put('retention.droppedDays', dropped);
    put('retention.droppedEvents', report.droppedEvents);
    put('retention.wallMs', wallMs);
    if (dropped > 0) put('retention.msPerDay', wallMs / dropped);
    else problem('retention', `dropped no day (storage duration ${keep} days, ${pending.days} days were due)`);
    if (report.failedDays && report.failedDays.length > 0) problem('retention', `${report.failedDays.length} due days were kept (failedDays)`);

    const onDisk = await readdir(join(dataDir, 'events')).catch(() => [] as string[]);
    const left = onDisk.filter((d) => d.slice('day='.length) < report.keptFrom).length;
    put('retention.dayFoldersLeft', left);
    if (left > 0) problem('retention', `${left} day folders before ${report.keptFrom} are still on disk`);

    const answerAfter = await probe();
    if (answerBefore !== null && answerAfter !== null) {
      put('retention.approxAnswersUnchanged', answerBefore === answerAfter ? 1 : 0);
      if (answerBefore !== answerAfter) problem('retention', 'APPROXIMATE activeUsers/crashRate over the dropped days changed after the drop');
    }
    note(`retention: storage duration ${state.options.storageDurationDays} -> ${keep} days dropped ${dropped} days (${report.droppedEvents.toLocaleString('en-US')} events) in ${wallMs.toFixed(0)} ms`);
  },
};
