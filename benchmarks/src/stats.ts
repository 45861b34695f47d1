/**
 * Small measuring helpers for the benchmark runner: percentiles, a throttled progress line, an aligned
 * results table and peak RSS. Time is injected (`clock`) so the reporter's output is testable.
 */
import { readFileSync } from 'node:fs';

/**
 * The p-quantile (0 <= p <= 1) with linear interpolation between closest ranks — the definition of
 * PostgreSQL `percentile_cont` and DuckDB `quantile_cont`, so a benchmark p95 and a metric p95 agree.
 * NaN for an empty array. Does not modify `values`.
 *
 * @example percentile([10, 20, 30, 40], 0.95) // 38.5
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function p95(values: readonly number[]): number {
  return percentile(values, 0.95);
}

export interface ProgressOptions {
  /** What is being counted, e.g. `ingest`. */
  readonly label: string;
  /** Expected total, for the percentage and the ETA; omit when unknown. */
  readonly total?: number;
  /** Unit in the line (default `events`). */
  readonly unit?: string;
  /** Minimum time between two lines (default 1000 ms). */
  readonly intervalMs?: number;
  readonly write?: (line: string) => void;
  readonly clock?: () => number;
}

/**
 * Prints `label: 1,234,567 / 10,000,000 events (12.3%), 1.23M events/s, ETA 7s` at most once per
 * interval, so calling `update` per batch costs nothing noticeable.
 *
 * @example
 * const progress = new ProgressReporter({ label: 'generate', total: n });
 * for (const batch of fleetBatches(opts)) { done += batch.length; progress.update(done); }
 * progress.finish(done);
 */
export class ProgressReporter {
  private readonly write: (line: string) => void;
  private readonly clock: () => number;
  private readonly startedMs: number;
  private lastPrintMs: number;

  constructor(private readonly options: ProgressOptions) {
    this.write = options.write ?? ((line) => process.stderr.write(line + '\n'));
    this.clock = options.clock ?? (() => performance.now());
    this.startedMs = this.clock();
    this.lastPrintMs = this.startedMs;
  }

  /** Reports `done` units so far; prints only when the interval has passed. */
  update(done: number): void {
    const now = this.clock();
    if (now - this.lastPrintMs < (this.options.intervalMs ?? 1000)) return;
    this.lastPrintMs = now;
    this.write(this.line(done, now, false));
  }

  /** Prints the final line (always) and returns the rate in units per second. */
  finish(done: number): number {
    const now = this.clock();
    this.write(this.line(done, now, true));
    return ratePerSecond(done, now - this.startedMs);
  }

  private line(done: number, now: number, final: boolean): string {
    const { label, total, unit = 'events' } = this.options;
    const elapsedMs = now - this.startedMs;
    const rate = ratePerSecond(done, elapsedMs);
    let text = `${label}: ${formatCount(done)}`;
    if (total !== undefined) text += ` / ${formatCount(total)}`;
    text += ` ${unit}`;
    if (total !== undefined && total > 0) text += ` (${((100 * done) / total).toFixed(1)}%)`;
    text += `, ${formatRate(rate)} ${unit}/s`;
    if (final) text += `, ${formatDuration(elapsedMs)}`;
    else if (total !== undefined && rate > 0) text += `, ETA ${formatDuration(((total - done) / rate) * 1000)}`;
    return text;
  }
}

export function ratePerSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** `1,234,567` */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1.23M`, `456k`, `789` */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)}k`;
  return perSecond.toFixed(0);
}

/** `850ms`, `12.3s`, `4m05s` */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export type TableValue = number | string | boolean | null | undefined;

/**
 * An aligned two-column text table, keys left, values right-aligned; numbers keep up to 3 decimals
 * and get thousands separators.
 *
 * @example formatTable({ events: 1000000, 'ingest.library.eventsPerSec': 412345.6 })
 */
export function formatTable(rows: Readonly<Record<string, TableValue>> | ReadonlyArray<readonly [string, TableValue]>): string {
  const entries = Array.isArray(rows) ? rows : Object.entries(rows);
  const cells = entries.map(([k, v]) => [k, formatValue(v)] as const);
  const keyWidth = Math.max(3, ...cells.map(([k]) => k.length));
  const valueWidth = Math.max(5, ...cells.map(([, v]) => v.length));
  const rule = '-'.repeat(keyWidth) + '  ' + '-'.repeat(valueWidth);
  const lines = [`${'key'.padEnd(keyWidth)}  ${'value'.padStart(valueWidth)}`, rule];
  for (const [k, v] of cells) lines.push(`${k.padEnd(keyWidth)}  ${v.padStart(valueWidth)}`);
  return lines.join('\n');
}

export function printTable(
  rows: Readonly<Record<string, TableValue>> | ReadonlyArray<readonly [string, TableValue]>,
  write: (text: string) => void = (text) => process.stdout.write(text + '\n'),
): void {
  write(formatTable(rows));
}

function formatValue(v: TableValue): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) >= 100 ? 1 : 3 });
  }
  return String(v);
}

/** The process's peak resident set size so far, in MB (Linux reports maxRSS in KiB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Samples `process.memoryUsage().rss` on a timer: the peak within one stage, which the lifetime
 * `maxRSS` cannot give once an earlier stage has set it higher.
 *
 * @example
 * const sampler = startRssSampler();
 * await runStage();
 * const { peakMb } = sampler.stop();
 */
export function startRssSampler(intervalMs = 100): { stop(): { peakMb: number; lifetimePeakMb: number } } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return { peakMb: peak / (1024 * 1024), lifetimePeakMb: peakRssMb() };
    },
  };
}

/** VmRSS and VmHWM (its peak over the process's life) of `/proc/<pid>/status`, in MB; null if unreadable. */
export function procRssMb(pid: number): { rssMb: number; hwmMb: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/**
 * The peak RSS of ANOTHER process (a child), worker threads included (they share its address
 * space): `VmRSS` of `/proc/<pid>/status` sampled on a timer, and the kernel's own high-water mark
 * `VmHWM` when stopped, which no sample can miss. On a system without /proc both are NaN.
 *
 * @example
 * const sampler = startChildRssSampler(child.pid!);
 * await work();
 * const { peakMb, hwmMb } = sampler.stop();
 */
export function startChildRssSampler(
  pid: number,
  intervalMs = 100,
): { stop(): { peakMb: number; sampledPeakMb: number; hwmMb: number }; readonly samples: ReadonlyArray<readonly [number, number]> } {
  const t0 = performance.now();
  const samples: Array<readonly [number, number]> = [];
  let sampled = NaN;
  const sample = (): void => {
    const r = procRssMb(pid);
    if (!r) return;
    sampled = Number.isNaN(sampled) ? r.rssMb : Math.max(sampled, r.rssMb);
    samples.push([(performance.now() - t0) / 1000, r.rssMb]);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    samples,
    stop() {
      clearInterval(timer);
      sample();
      const hwm = procRssMb(pid)?.hwmMb ?? NaN;
      return { peakMb: Math.max(sampled, Number.isNaN(hwm) ? -Infinity : hwm), sampledPeakMb: sampled, hwmMb: hwm };
    },
  };
}

