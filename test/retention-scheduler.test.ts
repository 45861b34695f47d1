import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerTimers } from '@telemetry/api';
import { startTestServer, TestClock, waitFor, type TestServer } from './support/server.ts';

/** Timers that only record what the scheduler asks for; the test fires them. */
class ManualTimers implements SchedulerTimers {
  pending: { fn: () => void; ms: number } | null = null;
  setTimeout(fn: () => void, ms: number): unknown {
    this.pending = { fn, ms };
    return this.pending;
  }
  clearTimeout(): void {
    this.pending = null;
  }
  /** Fires the pending timer and waits until the scheduler has set the next one. */
  async fire(): Promise<void> {
    const p = this.pending!;
    this.pending = null;
    p.fn();
    await waitFor(async () => this.pending !== null, 10_000, 'the next timer');
  }
}

describe('the retention scheduler in the server', () => {
  let dataDir: string;
  const clock = new TestClock(Date.parse('2024-06-10T10:00:00Z'));
  const MIN = 60_000;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'telemetry-sched-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = (timers: ManualTimers): Promise<TestServer> =>
    startTestServer({ dataDir, clock: clock.now, retentionScheduler: { timers, delayAfterMidnightMs: 5 * MIN } });
  const runs = async (t: TestServer) => t.viewer.auditLog({ kinds: ['RETENTION_RUN'] });

  it('runs at start-up when no run happened today, then shortly after each 00:00 UTC', async () => {
    const timers = new ManualTimers();
    const t = await start(timers);
    try {
      // Start-up catch-up: nothing ever ran.
      await waitFor(async () => (await runs(t)).length === 1, 10_000, 'the start-up run');
      expect((await runs(t))[0]).toMatchObject({ role: 'SYSTEM', at: '2024-06-10T10:00:00.000Z' });
      await waitFor(async () => timers.pending !== null, 10_000, 'a timer');
      expect(timers.pending!.ms).toBe(60 * MIN); // the next run is 14 h away: it sleeps at most an hour at a time

      clock.nowMs = Date.parse('2024-06-10T23:30:00Z');
      await timers.fire();
      expect(await runs(t)).toHaveLength(1);
      expect(timers.pending!.ms).toBe(35 * MIN); // until 00:05

      clock.nowMs = Date.parse('2024-06-11T00:02:00Z'); // a new day, but before the run time
      await timers.fire();
      expect(await runs(t)).toHaveLength(1);
      expect(timers.pending!.ms).toBe(3 * MIN);

      clock.nowMs = Date.parse('2024-06-11T00:05:00Z');
      await timers.fire();
      const after = await runs(t);
      expect(after).toHaveLength(2);
      expect(after[0]).toMatchObject({ role: 'SYSTEM', at: '2024-06-11T00:05:00.000Z' });
      expect(after[0].details).toMatchObject({ asOf: '2024-06-11' });

      // A run by the admin counts: the scheduler does not run again that day.
      clock.nowMs = Date.parse('2024-06-12T00:01:00Z');
      await t.admin.runRetention();
      clock.nowMs = Date.parse('2024-06-12T00:06:00Z');
      await timers.fire();
      expect((await runs(t)).map((r) => r.role)).toEqual(['ADMIN', 'SYSTEM', 'SYSTEM']);
    } finally {
      await t.stop();
    }
  });

  it('catches up at start-up only when the last run is older than today 00:00', async () => {
    clock.nowMs = Date.parse('2024-06-12T18:00:00Z');
    const sameDay = new ManualTimers();
    let t = await start(sameDay);
    await waitFor(async () => sameDay.pending !== null, 10_000, 'a timer');
    expect(await runs(t)).toHaveLength(3);
    await t.stop();

    clock.nowMs = Date.parse('2024-06-15T09:00:00Z'); // down over three midnights
    const later = new ManualTimers();
    t = await start(later);
    try {
      await waitFor(async () => (await runs(t)).length === 4, 10_000, 'the catch-up run');
      expect((await runs(t))[0]).toMatchObject({ role: 'SYSTEM', at: '2024-06-15T09:00:00.000Z' });
    } finally {
      await t.stop();
    }
  });
});
