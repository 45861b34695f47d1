import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary data directory; remove() deletes it. */
export async function tempDataDir(prefix = 'telemetry-test-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A settable clock for tests: time moves only when the test says so. */
export function manualClock(iso: string): { now: () => number; set(iso: string): void; advanceDays(n: number): void } {
  let t = Date.parse(iso);
  return {
    now: () => t,
    set(next: string) {
      t = Date.parse(next);
    },
    advanceDays(n: number) {
      t += n * 86_400_000;
    },
  };
}

/** A valid event with sensible defaults, for tests. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: `e-${Math.random().toString(36).slice(2)}`,
    timestamp: '2026-11-25T10:00:00Z',
    type: 'session_start',
    productId: 'acme.desktop',
    userId: 'user-1',
    sessionId: 'session-1',
    ...overrides,
  };
}
