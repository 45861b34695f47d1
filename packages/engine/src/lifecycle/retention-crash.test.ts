import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, type Day } from '@telemetry/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../storage/manifest.ts';
import { TelemetryEngine } from '../telemetry-engine.ts';
import { dayDirs, eventsPerDayOnDisk, ingestAll, listFiles, makeEvents, rng } from './test-fixtures.ts';

const TODAY = '2026-03-01' as Day;
const NOW = Date.parse(`${TODAY}T12:00:00Z`);
const DAYS = 60;
const KEEP = 15; // storage duration when the job runs: days before today − 15, 44 of the 60, are due
const KILLS = 5; // 3 at a random moment of the job, 2 just after its COMMIT
const SEED = Number(process.env.CRASH_SEED ?? 20260301);
const CHILD = fileURLToPath(new URL('./retention-crash.child.ts', import.meta.url));

let root: string;
let base: string;
let baseCounts: Map<string, number>;

const open = (dataDir: string) => TelemetryEngine.open({ dataDir, clock: () => NOW, background: false, threads: 2, hashSecret: 'test-secret' });
const manifestOf = (engine: TelemetryEngine) => (engine as unknown as { manifest: Manifest }).manifest;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'retention-crash-'));
  base = join(root, 'base');
  const engine = await open(base);
  await engine.updateSettings({ enabled: true, storageDurationDays: 730 });
  // Six loads: six files per day, 360 files, so the job has real work (264 files to delete).
  for (let load = 0; load < 6; load++) {
    await ingestAll(engine, makeEvents({ from: addDays(TODAY, -(DAYS - 1)), to: TODAY, perDay: 40, users: 50, seed: 100 + load, idPrefix: `l${load}` }));
  }
  await engine.updateSettings({ storageDurationDays: KEEP });
  await engine.close();
  baseCounts = await eventsPerDayOnDisk(base);
  expect(baseCounts.size).toBe(DAYS);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Runs the job in a child process; kills it `killAfterMs` after the child reports `marker`
 * (`ready`: the job starts; `committed`: the drop transaction committed). null: let it finish.
 */
function runChild(dataDir: string, killAfterMs: number | null, marker: 'ready' | 'committed' = 'ready'): Promise<{ killed: boolean; ms?: number }> {
  return new Promise((resolve, reject) => {
    // node --import tsx, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(NOW)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (killAfterMs !== null && timer === null && out.includes(`${marker}\n`)) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const done = /done (.*)\n/.exec(out);
      if (signal === 'SIGKILL') resolve({ killed: !done });
      else if (code === 0 && done) resolve({ killed: false, ms: JSON.parse(done[1]).ms });
      else reject(new Error(`child exited ${code ?? signal}: ${err}`));
    });
  });
}

/** After a restart: the manifest and the disk agree, and every day is either wholly dropped or intact. */
async function checkInvariants(dataDir: string): Promise<{ dropped: number }> {
  const engine = await open(dataDir);
  try {
    const manifest = manifestOf(engine);
    const listed = manifest.allFiles().map((f) => f.path).sort();
    for (const p of listed) await stat(join(dataDir, p)); // every listed file exists
    const onDisk = (await listFiles(dataDir, 'events')).sort();
    expect(onDisk).toEqual(listed); // and no unlisted file
    expect(await listFiles(dataDir, 'staging')).toEqual([]);

    const keptFrom = addDays(TODAY, -KEEP);
    const due = [...baseCounts.keys()].filter((d) => d < keptFrom);
    const dropped = [...manifest.droppedDays().keys()];
    // One transaction drops every due day, so a crash leaves all of them dropped or none.
    expect(dropped.length === 0 || dropped.length === due.length).toBe(true);
    const disk = await eventsPerDayOnDisk(dataDir);
    for (const [day, n] of baseCounts) {
      if (manifest.isDropped(day as Day)) {
        expect(disk.has(day)).toBe(false);
        expect(manifest.filesOf(day as Day)).toEqual([]);
      } else {
        expect(disk.get(day)).toBe(n); // nothing gone that should stay
        expect(manifest.filesOf(day as Day).reduce((a, f) => a + f.events, 0)).toBe(n);
      }
    }
    // The next run completes the job.
    const report = await engine.runRetention();
    expect(report.droppedDays.length + dropped.length).toBe(due.length);
    const after = await eventsPerDayOnDisk(dataDir);
    expect([...after.keys()].sort()).toEqual([...baseCounts.keys()].filter((d) => d >= keptFrom).sort());
    for (const [day, n] of after) expect(n).toBe(baseCounts.get(day));
    expect(await dayDirs(dataDir)).toEqual([...after.keys()].sort().map((d) => `day=${d}`));
    return { dropped: dropped.length };
  } finally {
    await engine.close();
  }
}

describe('runRetention under kill -9', () => {
  it(`leaves a consistent store at any moment and completes on the next run (seed ${SEED})`, async () => {
    // A first run to completion measures the job, so the kills land inside it.
    const first = join(root, 'full');
    await cp(base, first, { recursive: true });
    const { ms } = await runChild(first, null);
    expect((await checkInvariants(first)).dropped).toBe(DAYS - KEEP - 1);

    const random = rng(SEED);
    const outcomes: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const dir = join(root, `kill-${i}`);
      await cp(base, dir, { recursive: true });
      const marker = i < 3 ? 'ready' : 'committed';
      const delay = marker === 'ready' ? Math.floor(random() * (ms! * 1.2)) : Math.floor(random() * 5);
      const { killed } = await runChild(dir, delay, marker);
      const { dropped } = await checkInvariants(dir);
      outcomes.push(`${marker}+${delay}ms:${killed ? 'killed' : 'finished'}:${dropped === 0 ? 'before-commit' : 'after-commit'}`);
      await rm(dir, { recursive: true, force: true });
    }
    // Printed so a failure names the moments that were tried.
    console.info(`retention job ${Math.round(ms!)} ms; kills: ${outcomes.join(', ')}`);
  }, 120_000);
});
