import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Day } from '@telemetry/schema';
import { TelemetryEngine } from './telemetry-engine.ts';
import { tempDataDir } from './testing/fixtures.ts';

/** Runs the ingest child until it has acknowledged `acks` batches (plus a random extra delay), then SIGKILLs it. */
function runAndKill(dataDir: string, tag: string, acks: number, extraMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'testing', 'ingest-child.ts'), dataDir, tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buf = '';
    let err = '';
    let killing = false;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ACK (\d+)$/.exec(line);
        if (m) acked.push(Number(m[1]));
      }
      if (!killing && acked.length >= acks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

describe('durability', () => {
  it('keeps every acknowledged event exactly once through repeated kill -9', async () => {
    const tmp = await tempDataDir();
    const tags: { tag: string; acked: number[] }[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const tag = `r${round}`;
        const acked = await runAndKill(tmp.dir, tag, 5 + round * 7, [0, 15, 40][round]);
        expect(acked.length).toBeGreaterThan(0);
        tags.push({ tag, acked });
      }
      const engine = await TelemetryEngine.open({ dataDir: tmp.dir, background: false });
      try {
        const seen = new Map<string, number>();
        for await (const r of engine.scan({ range: { from: '2000-01-01' as Day, to: '2100-01-01' as Day } })) {
          seen.set(r.eventId, (seen.get(r.eventId) ?? 0) + 1);
        }
        for (const { tag, acked } of tags) {
          for (const k of acked) {
            for (let i = 0; i < 400; i++) expect(seen.get(`${tag}-${k}-${i}`), `${tag}-${k}-${i}`).toBe(1);
          }
        }
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        const status = await engine.storageStatus();
        expect(status.totalEvents).toBe(seen.size);
        // Every file on disk is one the manifest lists, and the other way round.
        const listed = new Set(status.partitions.map((p) => p.day));
        const onDisk = (await readdir(join(tmp.dir, 'events'))).map((d) => d.replace('day=', ''));
        expect(new Set(onDisk)).toEqual(listed);
      } finally {
        await engine.close();
      }
    } finally {
      await tmp.remove();
    }
  }, 120_000);
});
