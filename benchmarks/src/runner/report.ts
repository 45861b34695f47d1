import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatDuration, formatTable, type TableValue } from '../stats.ts';
import { BENCH_KEYS, PEER_KEYS } from './keys.ts';
import type { MachineInfo } from './machine.ts';
import type { StageName } from './options.ts';
import type { BenchRun } from './run-bench.ts';

/** The stage that produces each contract key, to say why a key is absent. */
const KEY_STAGE: Readonly<Record<string, StageName>> = {
  'ingest.library.eventsPerSec': 'library-ingest',
  'ingest.http.eventsPerSec': 'http-ingest',
  'ingest.baseline.duckdbCopyEventsPerSec': 'duckdb-baseline',
  'ingest.library.ratioToBaseline': 'duckdb-baseline',
  'query.approx.p95Ms': 'queries',
  'query.exact.p95Ms': 'queries',
  'query.speedup': 'queries',
  'retention.msPerDay': 'retention',
  'storage.bytesPerEvent': 'storage',
  'storage.aggregateBytesPerEvent': 'storage',
  'memory.peakRssMb': 'library-ingest',
  'accuracy.maxDistinctErrorPct': 'queries',
  'accuracy.maxPercentileErrorPct': 'queries',
  'peer.postgres.ingestEventsPerSec': 'postgres-peer',
  'peer.postgres.queryP95Ms': 'postgres-peer',
};

/** Keys the main table shows right after the contract's, in this order, when present. */
const HEADLINE_EXTRAS = [
  'http.serverPeakRssMb',
  'ingest.library.wallEventsPerSec',
  'ingest.library.ackEventsPerSec',
  'ingest.http.ackEventsPerSec',
  'ingest.http.ratioToBaseline',
  'query.approx.p95MsAt1M',
  'query.exact.p95MsAt1M',
  'ingest.library.ratioToPostgres',
  'query.approx.speedupVsPostgres',
];

/** The main table: bench.md's keys (absent ones say why), the peer's, then the headline extras. */
export function headlineRows(run: BenchRun): Array<[string, TableValue]> {
  const rows: Array<[string, TableValue]> = [];
  for (const key of [...BENCH_KEYS, ...PEER_KEYS, ...HEADLINE_EXTRAS]) {
    const value = run.results[key];
    if (value !== undefined) rows.push([key, value]);
    else if (!HEADLINE_EXTRAS.includes(key)) rows.push([key, absentReason(run, key)]);
  }
  return rows;
}

/** Every other key (the details), alphabetically, stage timings last. */
export function detailRows(run: BenchRun): Array<[string, TableValue]> {
  const shown = new Set<string>([...BENCH_KEYS, ...PEER_KEYS, ...HEADLINE_EXTRAS]);
  const keys = Object.keys(run.results).filter((k) => !shown.has(k));
  const stageKeys = keys.filter((k) => k.startsWith('stage.'));
  const rest = keys.filter((k) => !k.startsWith('stage.')).sort();
  return [...rest, ...stageKeys].map((k) => [k, run.results[k]]);
}

function absentReason(run: BenchRun, key: string): string {
  const stage = KEY_STAGE[key];
  const report = run.stages.find((s) => s.name === stage);
  if (!report) return 'absent';
  if (report.status === 'failed') return `absent: ${stage} failed`;
  if (report.status === 'skipped') return `absent: ${stage} skipped`;
  if (report.status === 'partial') return `absent: ${stage} partial`;
  return 'absent';
}

/** Stage outcomes as a small table, with the first error of each that did not finish cleanly. */
export function formatStages(run: BenchRun): string {
  const pct = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(0)}%`);
  const lines = [
    'stage             status    time     peak RSS  CPU machine  CPU this process',
    '----------------  -------  -------  --------  -----------  ----------------',
  ];
  for (const s of run.stages) {
    const ran = s.status !== 'skipped';
    lines.push(
      [
        s.name.padEnd(16),
        s.status.padEnd(7),
        (ran ? formatDuration(s.seconds * 1000) : '-').padStart(7),
        (ran ? `${s.peakRssMb.toFixed(0)} MB` : '-').padStart(8),
        pct(s.cpu?.machinePct).padStart(11),
        pct(s.cpu?.ownPct).padStart(16),
      ].join('  '),
    );
  }
  lines.push('(CPU: share of all cores; "machine" minus "this process" is the HTTP client, PostgreSQL, or other work on the machine)');
  return lines.join('\n');
}

/** Errors and notes of every stage, one per line. */
export function formatFindings(run: BenchRun): string {
  const lines: string[] = [];
  for (const s of run.stages) {
    for (const e of s.errors) lines.push(`! ${s.name}: ${e}`);
    const other = interference(s);
    if (other !== null) {
      lines.push(`! ${s.name}: other work on the machine took about ${other.toFixed(0)}% of its CPU during this stage: its figures are pessimistic`);
    }
    for (const n of s.notes) lines.push(`- ${s.name}: ${n}`);
  }
  return lines.join('\n');
}

/** Stages with child processes of their own: their "machine minus this process" is not interference. */
const STAGES_WITH_CHILDREN: ReadonlySet<StageName> = new Set(['http-ingest', 'postgres-peer']);

/** Percent of all cores used by other processes during a stage, when it is large enough to matter. */
function interference(s: BenchRun['stages'][number]): number | null {
  if (!s.cpu || STAGES_WITH_CHILDREN.has(s.name)) return null;
  const other = s.cpu.machinePct - s.cpu.ownPct;
  return other > 20 ? other : null;
}

/** The whole printed report: headline table, stages, findings, details. */
export function formatReport(run: BenchRun): string {
  return [
    `${run.options.events.toLocaleString('en-US')} events, ${run.options.days} days, seed ${run.options.seed}, ${formatDuration(run.seconds * 1000)}`,
    '',
    formatTable(headlineRows(run)),
    '',
    formatStages(run),
    '',
    formatFindings(run),
    '',
    'details:',
    formatTable(detailRows(run)),
  ].join('\n');
}

/**
 * The JSON file: every measured key as a number at the top level (bench.md's keys first), plus one
 * `meta` object (options, stage outcomes with errors, machine) — the only key that is not a number.
 */
export function resultsJson(run: BenchRun, machine: MachineInfo): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of [...BENCH_KEYS, ...PEER_KEYS]) if (run.results[key] !== undefined) ordered[key] = run.results[key];
  for (const [key] of detailRows(run)) ordered[key] = run.results[key];
  for (const key of HEADLINE_EXTRAS) if (run.results[key] !== undefined) ordered[key] = run.results[key];
  const { log: _log, ...options } = run.options;
  ordered.meta = {
    startedAt: run.startedAt,
    seconds: run.seconds,
    loadAverageAtStart: run.loadAverageAtStart,
    // V8 flags change the figures (--max-semi-space-size): say which were on.
    nodeFlags: nodeFlags(),
    options,
    stages: run.stages,
    missingKeys: BENCH_KEYS.filter((k) => run.results[k] === undefined),
    machine,
  };
  return ordered;
}

/** process.execArgv without tsx's own loader flags. */
function nodeFlags(): string[] {
  const args = process.execArgv;
  return args.filter((a, i) => !a.includes('/tsx/') && !((a === '--require' || a === '--import') && args[i + 1]?.includes('/tsx/')));
}

export async function writeResultsJson(path: string, run: BenchRun, machine: MachineInfo): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(resultsJson(run, machine), null, 2) + '\n');
}

/** A Markdown page: how it was run, the printed report, and the machine. */
export function markdownReport(run: BenchRun, machine: MachineInfo, command: string): string {
  const fence = (text: string): string => '```\n' + text + '\n```';
  return [
    `# Benchmark: ${run.options.events.toLocaleString('en-US')} events over ${run.options.days} days`,
    '',
    `Run ${run.startedAt} with \`${command}\`; ${formatDuration(run.seconds * 1000)} in all. ` +
      'How to read each figure: `benchmarks/README.md`.',
    '',
    '## Results',
    '',
    fence(formatTable(headlineRows(run))),
    '',
    '## Stages',
    '',
    fence(formatStages(run)),
    '',
    '## Findings',
    '',
    fence(formatFindings(run) || '(none)'),
    '',
    '## Details',
    '',
    fence(formatTable(detailRows(run))),
    '',
    '## Machine',
    '',
    fence(
      [
        `$ nproc\n${machine.nproc}`,
        `$ free -g\n${machine.free}`,
        `$ lscpu | head\n${machine.lscpu}`,
        `$ node --version\n${machine.node}`,
        `DuckDB: ${machine.duckdb}`,
        `load average (1, 5, 15 min) at the start: ${run.loadAverageAtStart}; at the end: ${machine.loadAverage}`,
      ].join('\n\n'),
    ),
    '',
  ].join('\n');
}

export async function writeMarkdown(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
