import { dayOf, dayStartMs, MS_PER_DAY, type RetentionReport } from '@telemetry/schema';
import type { TelemetryEngineApi } from '@telemetry/engine';
import { describeError, silentLogger, type Logger } from '../log/logger.ts';

/** Timer functions, injectable so tests drive the schedule without waiting. */
export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RetentionSchedulerOptions {
  readonly engine: Pick<TelemetryEngineApi, 'runRetention' | 'auditLog'>;
  /** Milliseconds since epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** How long after 00:00 UTC the daily run starts. Default 5 minutes (lets late writes of the old day land). */
  readonly delayAfterMidnightMs?: number;
  /** Longest sleep between checks, so a clock jump or a suspended host is noticed. Default 1 hour. */
  readonly maxSleepMs?: number;
  /** Wait after a failed run before trying again. Default 15 minutes. */
  readonly retryAfterFailureMs?: number;
  readonly timers?: SchedulerTimers;
}

const realTimers: SchedulerTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Runs the retention job (`engine.runRetention('system')`) once a UTC day: shortly after 00:00,
 * and at start-up when the last run — by anyone, as the audit log records it — is older than
 * today's 00:00 (a server that was down at midnight catches up when it starts).
 *
 * @example
 * const scheduler = new RetentionScheduler({ engine, logger });
 * await scheduler.start();
 * // ...
 * await scheduler.stop();
 */
export class RetentionScheduler {
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly delayMs: number;
  private readonly maxSleepMs: number;
  private readonly retryMs: number;
  private readonly timers: SchedulerTimers;
  private timer: unknown = null;
  private running: Promise<RetentionReport | null> | null = null;
  private stopped = false;
  /** Start of the newest run we know of (ms), -Infinity before any. */
  private lastRunMs = -Infinity;
  private lastFailureMs = -Infinity;

  constructor(private readonly options: RetentionSchedulerOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.delayMs = options.delayAfterMidnightMs ?? 5 * 60_000;
    this.maxSleepMs = options.maxSleepMs ?? 3_600_000;
    this.retryMs = options.retryAfterFailureMs ?? 15 * 60_000;
    this.timers = options.timers ?? realTimers;
  }

  /**
   * Runs the start-up catch-up check and schedules the daily runs. The returned promise settles
   * when the catch-up check (and run, if one was due) is over; callers need not wait for it.
   */
  start(): Promise<void> {
    this.stopped = false;
    return this.tick(true);
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * Runs retention if no run started since today's 00:00 UTC (per the audit log); resolves with
   * the report, or null when nothing was due. Never runs two jobs at once.
   */
  runIfDue(): Promise<RetentionReport | null> {
    this.running ??= this.runIfDueNow().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** How long to sleep at `nowMs` before the next check: until the next run time, at most maxSleepMs. */
  nextCheckDelayMs(nowMs: number): number {
    const todayRun = dayStartMs(dayOf(nowMs)) + this.delayMs;
    let wait = (nowMs < todayRun ? todayRun : todayRun + MS_PER_DAY) - nowMs;
    if (this.lastFailureMs > this.lastRunMs) wait = Math.min(wait, Math.max(0, this.lastFailureMs + this.retryMs - nowMs));
    return Math.max(1000, Math.min(wait, this.maxSleepMs));
  }

  private async runIfDueNow(): Promise<RetentionReport | null> {
    const now = this.clock();
    const todayStart = dayStartMs(dayOf(now));
    if (this.lastRunMs >= todayStart) return null;
    const [last] = await this.options.engine.auditLog({ limit: 1, kinds: ['retention_run'] });
    if (last) this.lastRunMs = Math.max(this.lastRunMs, Date.parse(last.at));
    if (this.lastRunMs >= todayStart) return null;
    this.logger.info('retention run starting', { lastRun: Number.isFinite(this.lastRunMs) ? new Date(this.lastRunMs).toISOString() : null });
    try {
      const report = await this.options.engine.runRetention('system');
      this.lastRunMs = Math.max(this.lastRunMs, now);
      this.logger.info('retention run finished', {
        asOf: report.asOf,
        droppedDays: report.droppedDays.length,
        droppedEvents: report.droppedEvents,
        keptFrom: report.keptFrom,
        failedDays: report.failedDays?.length ?? 0,
      });
      return report;
    } catch (err) {
      this.lastFailureMs = this.clock();
      throw err;
    }
  }

  private async tick(startup = false): Promise<void> {
    if (this.stopped) return;
    const now = this.clock();
    // The daily run waits until a little after midnight; at start-up a missed run catches up at once.
    if (startup || now >= dayStartMs(dayOf(now)) + this.delayMs) {
      try {
        await this.runIfDue();
      } catch (err) {
        this.logger.error('retention run failed; will retry', { retryInMs: this.retryMs, ...describeError(err) });
      }
    }
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => void this.tick(), this.nextCheckDelayMs(this.clock()));
  }
}
