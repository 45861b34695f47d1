import type { TelemetryEngine } from '@telemetry/engine';
import type { CpuShare } from './cpu-share.ts';
import type { FleetPlan, FleetStreamOptions } from '../generator.ts';
import type { BenchResults } from './keys.ts';
import type { BenchOptions, StageName } from './options.ts';
import type { QueryAnswers } from './query-set.ts';

/** What one stage ended as. `partial`: some of its measurements failed (listed in `errors`). */
export type StageStatus = 'ok' | 'partial' | 'failed' | 'skipped';

export interface StageReport {
  readonly name: StageName;
  readonly status: StageStatus;
  readonly seconds: number;
  /** Peak RSS of this process while the stage ran (sampled every 100 ms). */
  readonly peakRssMb: number;
  /** CPU busy machine-wide and in this process while it ran (null when skipped). */
  readonly cpu: CpuShare | null;
  /** Why it failed or what part failed, e.g. `activeUsers: Error: not implemented yet`. */
  readonly errors: readonly string[];
  /** Why it was skipped, or a remark worth printing under the table. */
  readonly notes: readonly string[];
}

/** The engine the library stage filled, shared by the stages that measure it. */
export interface LibraryEngine {
  engine: TelemetryEngine;
  readonly dataDir: string;
  /** Events stored after de-duplication (storageStatus().totalEvents after the final flush). */
  readonly storedEvents: number;
}

/**
 * Everything the stages share in one run. Stages read what earlier stages left (the engine, the
 * NDJSON file) and write numbers with `put`; `problem` records a failure without ending the stage.
 */
export interface RunState {
  readonly options: BenchOptions;
  readonly plan: FleetPlan;
  /** The fleet every stage uses (same seed, size, days and end day). */
  readonly fleet: FleetStreamOptions;
  /** The engines' pinned clock (ms). */
  readonly clockMs: number;
  /** This run's temp directory (removed at the end unless --keep-data). */
  readonly tmpDir: string;
  readonly results: BenchResults;
  library?: LibraryEngine;
  /** The fleet as NDJSON (the baseline's and the HTTP client's input). */
  ndjsonPath?: string;
  /** APPROXIMATE and EXACT answers of the query stage, for the accuracy figures. */
  answers?: QueryAnswers;
  /** Run on exit, last first (close engines, stop servers). */
  readonly cleanups: Array<() => Promise<void>>;
}

/** What a stage gets besides the shared state. */
export interface StageContext {
  readonly state: RunState;
  /** Records a finite number under `key`; NaN/Infinity are refused (they would make the JSON lie). */
  put(key: string, value: number): void;
  /** A measurement failed but the stage goes on; marks the stage `partial`. */
  problem(what: string, err: unknown): void;
  /** A remark for the report. */
  note(text: string): void;
  log(line: string): void;
}

/** One stage: a module under stages/. */
export interface Stage {
  readonly name: StageName;
  /** Why the stage cannot run in this state (e.g. no engine because ingest failed), or null. */
  blockedBy?(state: RunState): string | null;
  run(ctx: StageContext): Promise<void>;
}
