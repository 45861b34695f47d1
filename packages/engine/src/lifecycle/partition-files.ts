import { readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Day } from '@telemetry/schema';
import type { Manifest } from '../storage/manifest.ts';

/** How long a job waits for readers (EXACT queries, scans, exports) to release files it replaced. */
export const RELEASE_WAIT_MS = 60_000;

const DAY_DIR_RE = /^day=(\d{4}-\d{2}-\d{2})$/;

/**
 * Waits until every file the manifest stopped listing is gone from disk. The manifest deletes an
 * unlisted file as soon as no lease holds it (an EXACT query, a scan, an export reading it), so
 * this returns at once when nothing reads those days, and otherwise when the last reader is done.
 * Gives up after `timeoutMs` and returns what is still there: those files are deleted on release
 * anyway, and at the next open whatever survives a crash is removed as unlisted.
 *
 * TODO(lead): Manifest could return a promise per deletion (`whenDeleted(paths)`), replacing the poll.
 */
export async function awaitFilesGone(manifest: Manifest, paths: readonly string[], timeoutMs: number, sleep = defaultSleep): Promise<string[]> {
  let left = [...paths];
  let waitMs = 1;
  let waited = 0;
  for (;;) {
    const still: string[] = [];
    for (const p of left) if (await exists(manifest.absolute(p))) still.push(p);
    left = still;
    if (left.length === 0 || waited >= timeoutMs) return left;
    await sleep(waitMs);
    waited += waitMs;
    waitMs = Math.min(waitMs * 2, 100);
  }
}

/**
 * Removes the `events/day=D` folders of days the manifest no longer lists and that are older
 * than `before`, if empty. Idempotent, one readdir of `events/`: a folder left by a run that
 * crashed or timed out waiting for a reader goes at the next run. A non-empty folder is left for
 * the open-time sweep (its files may still be leased).
 */
export async function removeEmptyDayDirs(dataDir: string, manifest: Manifest, before: Day): Promise<number> {
  const eventsDir = join(dataDir, 'events');
  let removed = 0;
  for (const name of await readdir(eventsDir).catch(() => [] as string[])) {
    const m = DAY_DIR_RE.exec(name);
    if (!m || m[1] >= before || manifest.filesOf(m[1] as Day).length > 0) continue;
    try {
      await rmdir(join(eventsDir, name));
      removed++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  }
  return removed;
}

/** Removes the folders of `days` if they are empty (after an erasure emptied a partition). */
export async function removeEmptyDirsOf(dataDir: string, manifest: Manifest, days: Iterable<Day>): Promise<void> {
  for (const day of days) {
    if (manifest.filesOf(day).length > 0) continue;
    await rmdir(join(dataDir, 'events', `day=${day}`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
