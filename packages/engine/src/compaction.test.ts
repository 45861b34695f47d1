import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Day } from '@telemetry/schema';
import { TelemetryEngine } from './telemetry-engine.ts';
import { event, manualClock, tempDataDir } from './testing/fixtures.ts';

describe('compaction', () => {
  it('merges small files of a day while readers keep seeing every event exactly once', async () => {
    const tmp = await tempDataDir();
    const clock = manualClock('2026-11-25T12:00:00Z');
    const engine = await TelemetryEngine.open({ dataDir: tmp.dir, clock: clock.now, background: false, compactAtFiles: 1000 });
    try {
      await engine.updateSettings({ enabled: true });
      let total = 0;
      for (let b = 0; b < 12; b++) {
        const batch = [];
        for (let i = 0; i < 50; i++) {
          batch.push(event({ eventId: `b${b}-${i}`, timestamp: `2026-11-2${4 + (i % 2)}T0${i % 10}:00:00Z`, userId: `u${i}` }));
        }
        await engine.ingest(batch);
        await engine.flush();
        total += batch.length;
      }
      const before = await engine.storageStatus();
      expect(before.partitions.map((p) => p.files)).toEqual([12, 12]);
      const range = { from: '2026-11-01' as Day, to: '2026-11-30' as Day };
      const countScan = async () => {
        let n = 0;
        for await (const _ of engine.scan({ range })) n++;
        return n;
      };
      // Readers running while the compaction swaps files must see all events, never half a day.
      const readers = Array.from({ length: 6 }, () => countScan());
      const compaction = engine.compactNow();
      const counts = await Promise.all([...readers, compaction.then(() => countScan())]);
      expect(counts.every((n) => n === total)).toBe(true);
      const after = await engine.storageStatus();
      expect(after.partitions.map((p) => p.files)).toEqual([1, 1]);
      expect(after.totalEvents).toBe(total);
      // The replaced files are gone from disk once no reader holds them.
      for (const p of after.partitions) {
        expect(await readdir(join(tmp.dir, 'events', `day=${p.day}`))).toHaveLength(1);
      }
    } finally {
      await engine.close();
      await tmp.remove();
    }
  });
});
