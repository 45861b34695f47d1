import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { tempDataDir } from '../testing/fixtures.ts';

/** Runs a script to its end; resolves with its exit code and output. */
function runScript(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a script awaiting ingestBody gets its answer: a busy encoder worker keeps the process alive, an idle one does not', async () => {
  const data = await tempDataDir();
  const run = await runScript(join(import.meta.dirname, '..', 'testing', 'ingest-body-child.ts'), [data.dir]).finally(() => data.remove());
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, `stdout: ${run.stdout}`).toBeDefined();
  expect(JSON.parse(line!.slice('RESULT '.length))).toMatchObject({ telemetryEnabled: true, accepted: 1, rejected: [] });
}, 30_000);
