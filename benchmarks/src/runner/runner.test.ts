import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareAnswers } from './accuracy.ts';
import { BENCH_KEYS } from './keys.ts';
import type { MachineInfo } from './machine.ts';
import { parseBenchArgs, resolveBenchOptions } from './options.ts';
import type { DashboardQuery } from './query-set.ts';
import { writeResultsJson } from './report.ts';
import { runBench } from './run-bench.ts';

const MACHINE: MachineInfo = { nproc: '2', free: '-', lscpu: '-', node: process.version, duckdb: '-', loadAverage: '-' };

describe('the benchmark runner', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('runs every stage on a tiny fleet and writes every key of bench.md as a finite number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-runner-test-'));
    dirs.push(dir);
    const lines: string[] = [];
    const run = await runBench(
      resolveBenchOptions({ events: 20_000, days: 30, skipPeer: true, queryReps: 1, freshnessSeconds: 2, workDir: dir, log: (l) => lines.push(l) }),
    );
    const unhealthy = run.stages.filter((s) => s.status === 'failed' || s.status === 'partial').map((s) => `${s.name}: ${s.errors.join('; ')}`);
    expect(unhealthy).toEqual([]);
    expect(run.stages.find((s) => s.name === 'http-ingest')?.status).toBe('ok');

    const file = join(dir, 'results.json');
    await writeResultsJson(file, run, MACHINE);
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    for (const key of BENCH_KEYS) {
      expect(typeof json[key], key).toBe('number');
      expect(Number.isFinite(json[key]), key).toBe(true);
    }
    expect(json.events).toBe(20_000);
    // Every probe of the freshness stage showed up in activeUsers (else the stage is partial, above).
    expect(json['freshness.probes']).toBeGreaterThanOrEqual(3);
    expect(json['freshness.maxMs']).toBeGreaterThan(0);
    // Every key but `meta` is a number.
    for (const [key, value] of Object.entries(json)) if (key !== 'meta') expect(typeof value, key).toBe('number');
    // The run cleaned up after itself: only the results file is left.
    expect(await readdir(dir)).toEqual(['results.json']);
  }, 30_000);

  it('parses the CLI flags of the brief', () => {
    const o = parseBenchArgs(['--quick', '--days', '30', '--json', 'x.json', '--skip-peer', '--seed', '7'])!;
    expect(o).toMatchObject({ events: 1_000_000, days: 30, jsonPath: 'x.json', skipPeer: true, seed: 7 });
    expect(parseBenchArgs(['--events', '10_000_000'])!.events).toBe(10_000_000);
    expect(() => parseBenchArgs(['--only', 'nope'])).toThrow(/unknown stage/);
    expect(parseBenchArgs(['--help'])).toBeNull();
  });

  it('measures accuracy against the contract thresholds', () => {
    const q = (name: string, family: DashboardQuery['family']): DashboardQuery => ({ name, family, rangeDays: 30, hasExact: true, run: async () => [] });
    const queries = [q('au', 'activeUsers'), q('lat', 'latency')];
    const report = compareAnswers({
      queries,
      approx: new Map<string, unknown[]>([
        ['au', [{ day: 'd1', segment: null, dau: 1010, wau: 5, mau: 3 }]],
        ['lat', [{ period: 'd1', segment: null, count: 5000, p50: 101, p90: 200, p95: 300, p99: 400 }]],
      ]),
      exact: new Map<string, unknown[]>([
        ['au', [{ day: 'd1', segment: null, dau: 1000, wau: 6, mau: 3 }]],
        ['lat', [{ period: 'd1', segment: null, count: 5000, p50: 100, p90: 200, p95: 300, p99: 400 }]],
      ]),
    });
    // wau 5 vs 6 is 17% off but under the threshold of 100: only dau's 1% counts.
    expect(report.maxDistinctErrorPct).toBeCloseTo(1, 6);
    expect(report.maxPercentileErrorPct).toBeCloseTo(1, 6);
    expect(report.distinctBoundViolations).toBe(0);
    expect(report.rowMismatches).toBe(0);
  });
});
