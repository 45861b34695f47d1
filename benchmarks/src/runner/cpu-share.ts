import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * How busy the whole machine was during a stage, next to how much of that was this process: on two
 * shared cores, another job running meanwhile (a test suite, a browser) moves every figure, and
 * this is how a reader of the results can tell. Percentages are of all cores together.
 */
export interface CpuShare {
  /** Machine-wide busy time / elapsed, from /proc/stat (NaN where it is not readable). */
  readonly machinePct: number;
  /** This process (all its threads: DuckDB's too) / elapsed; child processes are not included. */
  readonly ownPct: number;
}

function machineJiffies(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, n) => a + n, 0); // user .. steal
    const idle = fields[3] + fields[4]; // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Starts measuring; `stop()` returns the shares since the start. */
export function startCpuShare(): { stop(): CpuShare } {
  const m0 = machineJiffies();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const m1 = machineJiffies();
      const own = process.cpuUsage(own0);
      const wallUs = (performance.now() - t0) * 1000;
      const machinePct = m0 && m1 && m1.total > m0.total ? (100 * (m1.busy - m0.busy)) / (m1.total - m0.total) : Number.NaN;
      const ownPct = wallUs > 0 ? (100 * (own.user + own.system)) / (wallUs * availableParallelism()) : Number.NaN;
      return { machinePct, ownPct };
    },
  };
}
