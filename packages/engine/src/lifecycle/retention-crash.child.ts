/**
 * Child process of retention-crash.test.ts: opens the engine on a data dir at a fixed time and
 * runs the retention job; the parent kills it with SIGKILL at a random moment.
 *   node --import tsx retention-crash.child.ts <dataDir> <nowMs>
 */
import { writeSync } from 'node:fs';
import type { Manifest } from '../storage/manifest.ts';
import { TelemetryEngine } from '../telemetry-engine.ts';

const [dataDir, nowMs] = process.argv.slice(2);
const engine = await TelemetryEngine.open({ dataDir, clock: () => Number(nowMs), background: false, threads: 2, hashSecret: 'test-secret' });
// Announces the COMMIT (the manifest applies a change right after it), so the parent can aim a
// kill at the deletion phase, which is otherwise a few milliseconds of a job that takes hundreds.
const manifest = (engine as unknown as { manifest: Manifest }).manifest;
const apply = manifest.applyCommitted.bind(manifest);
manifest.applyCommitted = (change) => {
  writeSync(1, 'committed\n');
  apply(change);
};
writeSync(1, 'ready\n');
const started = performance.now();
const report = await engine.runRetention('system');
writeSync(1, `done ${JSON.stringify({ ms: performance.now() - started, dropped: report.droppedDays.length })}\n`);
await engine.close();
