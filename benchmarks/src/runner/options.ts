import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';

/** Every stage of a run, in the order they run. */
export const STAGE_NAMES = [
  'library-ingest',
  'storage',
  'queries',
  'freshness',
  'retention',
  'fleet-file',
  'duckdb-baseline',
  'http-ingest',
  'postgres-peer',
  'query-scaling',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** What a benchmark run does; `resolveBenchOptions` fills the defaults. */
export interface BenchOptions {
  /** Items in the fleet (valid, late, re-sent and malformed together): bench.md's N. */
  readonly events: number;
  readonly days: number;
  readonly seed: number;
  /**
   * The fleet's last day. Fixed by default (not "today") so two runs on different days see the same
   * stream; the engines' clocks are pinned to it (see `engineClockMs`).
   */
  readonly endDay: string;
  /** Where the JSON results go. */
  readonly jsonPath: string;
  /** Also write a Markdown report (table + machine description) here. */
  readonly mdPath?: string;
  readonly skipPeer: boolean;
  /** Stages to run; the rest are reported as skipped. Default: all. */
  readonly stages: readonly StageName[];
  /** Timed repetitions of each dashboard query (after one untimed warm-up). */
  readonly queryReps: number;
  /** Timed repetitions of the PostgreSQL query set (no warm-up: its pages are cached by the load). */
  readonly peerQueryReps: number;
  /** Events the PostgreSQL peer loads (default N: same size as the engine). */
  readonly peerEvents: number;
  readonly libraryBatchSize: number;
  readonly httpBatchSize: number;
  readonly httpConnections: number;
  /** Storage duration during ingest and queries: long enough that no event of the fleet is too old. */
  readonly storageDurationDays: number;
  /** Storage duration the retention stage shortens to. */
  readonly retentionKeepDays: number;
  /** How long the freshness stage streams today's events (seconds). */
  readonly freshnessSeconds: number;
  /** The freshness stage's steady ingest rate (events per second). */
  readonly freshnessEventsPerSec: number;
  /** The fleet size of the "flat as events grow" comparison (the --quick size). */
  readonly scalingEvents: number;
  /** Parent of the run's temp directory (data dirs, NDJSON, baseline output). */
  readonly workDir: string;
  /** Keep the temp directory (for inspection) instead of deleting it. */
  readonly keepData: boolean;
  /** Progress lines (stderr by default). */
  readonly log: (line: string) => void;
}

export const DEFAULT_EVENTS = 10_000_000;
export const QUICK_EVENTS = 1_000_000;
export const DEFAULT_END_DAY = '2025-06-30';
export const DEFAULT_JSON_PATH = 'benchmarks/results/latest.json';

export type BenchOptionsInput = Partial<Omit<BenchOptions, 'stages'>> & {
  readonly stages?: readonly StageName[];
  readonly quick?: boolean;
};

/** Fills defaults and checks ranges; throws RangeError naming the option. */
export function resolveBenchOptions(input: BenchOptionsInput = {}): BenchOptions {
  const events = input.events ?? (input.quick ? QUICK_EVENTS : DEFAULT_EVENTS);
  const days = input.days ?? 90;
  requireInt('events', events, 1);
  requireInt('days', days, 1);
  // 730 is the engine's maximum storage duration; the fleet must fit inside it with room to spare.
  if (days > 700) throw new RangeError(`--days must be at most 700, got ${days}`);
  const options: BenchOptions = {
    events,
    days,
    seed: input.seed ?? 1,
    endDay: input.endDay ?? DEFAULT_END_DAY,
    jsonPath: input.jsonPath ?? DEFAULT_JSON_PATH,
    mdPath: input.mdPath,
    skipPeer: input.skipPeer ?? false,
    stages: input.stages ?? STAGE_NAMES,
    queryReps: input.queryReps ?? 3,
    peerQueryReps: input.peerQueryReps ?? 1,
    peerEvents: input.peerEvents ?? events,
    libraryBatchSize: input.libraryBatchSize ?? 10_000,
    httpBatchSize: input.httpBatchSize ?? 5_000,
    httpConnections: input.httpConnections ?? 4,
    storageDurationDays: input.storageDurationDays ?? Math.min(730, Math.max(120, days + 30)),
    retentionKeepDays: input.retentionKeepDays ?? Math.max(1, Math.min(30, Math.floor(days / 3))),
    freshnessSeconds: input.freshnessSeconds ?? 20,
    freshnessEventsPerSec: input.freshnessEventsPerSec ?? 20_000,
    scalingEvents: input.scalingEvents ?? QUICK_EVENTS,
    workDir: input.workDir ?? tmpdir(),
    keepData: input.keepData ?? false,
    log: input.log ?? ((line) => process.stderr.write(line + '\n')),
  };
  requireInt('seed', options.seed, -(2 ** 31));
  requireInt('queryReps', options.queryReps, 1);
  requireInt('peerQueryReps', options.peerQueryReps, 1);
  requireInt('peerEvents', options.peerEvents, 1);
  requireInt('libraryBatchSize', options.libraryBatchSize, 1);
  requireInt('httpBatchSize', options.httpBatchSize, 1);
  requireInt('httpConnections', options.httpConnections, 1);
  requireInt('retentionKeepDays', options.retentionKeepDays, 1);
  requireInt('freshnessSeconds', options.freshnessSeconds, 1);
  requireInt('freshnessEventsPerSec', options.freshnessEventsPerSec, 20);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.endDay)) throw new RangeError(`--end-day must be YYYY-MM-DD, got ${options.endDay}`);
  if (options.storageDurationDays <= days) {
    throw new RangeError(`storageDurationDays (${options.storageDurationDays}) must exceed --days (${days}) or old events are refused`);
  }
  for (const s of options.stages) if (!STAGE_NAMES.includes(s)) throw new RangeError(`unknown stage ${s}; stages: ${STAGE_NAMES.join(', ')}`);
  return options;
}

export const USAGE = `npm run bench -- [options]

  --events N        fleet size (default 10,000,000; --quick: 1,000,000)
  --days D          days of history (default 90)
  --seed S          generator seed (default 1)
  --end-day DAY     the fleet's last day, YYYY-MM-DD (default ${DEFAULT_END_DAY})
  --quick           N = 1,000,000
  --json FILE       results (default ${DEFAULT_JSON_PATH})
  --md FILE         also a Markdown report with the table and the machine
  --skip-peer       no PostgreSQL peer
  --peer-events N   events the PostgreSQL peer loads (default N)
  --only a,b        run only these stages: ${STAGE_NAMES.join(', ')}
  --query-reps R    timed repetitions per dashboard query (default 3)
  --freshness-seconds S   how long the freshness stage streams today's events (default 20)
  --freshness-rate R      its steady ingest rate, events/s (default 20,000)
  --work-dir DIR    where the temp data goes (default the OS temp dir)
  --keep-data       keep the temp data for inspection
  --help`;

/** Parses `npm run bench -- ...` arguments. Returns null for --help. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      events: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'end-day': { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'string' },
      md: { type: 'string' },
      'skip-peer': { type: 'boolean' },
      'peer-events': { type: 'string' },
      only: { type: 'string' },
      'query-reps': { type: 'string' },
      'freshness-seconds': { type: 'string' },
      'freshness-rate': { type: 'string' },
      'work-dir': { type: 'string' },
      'keep-data': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const int = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isSafeInteger(n)) throw new RangeError(`--${name} must be an integer, got ${text}`);
    return n;
  };
  return resolveBenchOptions({
    quick: values.quick,
    events: int('events', values.events),
    days: int('days', values.days),
    seed: int('seed', values.seed),
    endDay: values['end-day'],
    jsonPath: values.json,
    mdPath: values.md,
    skipPeer: values['skip-peer'],
    peerEvents: int('peer-events', values['peer-events']),
    stages: values.only ? (values.only.split(',').map((s) => s.trim()) as StageName[]) : undefined,
    queryReps: int('query-reps', values['query-reps']),
    freshnessSeconds: int('freshness-seconds', values['freshness-seconds']),
    freshnessEventsPerSec: int('freshness-rate', values['freshness-rate']),
    workDir: values['work-dir'],
    keepData: values['keep-data'],
  });
}

function requireInt(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}
