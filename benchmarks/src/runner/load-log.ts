import type { EngineLogger } from '@telemetry/engine';

/**
 * An engine logger that keeps what the loader says about itself: how long each background load
 * took and its steps (read, dedup, parquet, aggregate, commit). Those split "until durable and
 * aggregated" into where the time went, without reaching into the engine. Unknown lines are ignored,
 * so a renamed log line only makes these extra figures disappear.
 */
export class LoadLog {
  loads = 0;
  loadedEvents = 0;
  busyMs = 0;
  /** Milliseconds per load step, summed over loads. */
  readonly stepMs = new Map<string, number>();
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  readonly logger: EngineLogger = {
    info: (message, fields) => {
      if (message === 'loaded' && fields) {
        this.loads++;
        this.loadedEvents += Number(fields.events ?? 0);
        this.busyMs += Number(fields.ms ?? 0);
      } else if (message.startsWith('load step durations') && fields) {
        // Durations; `parquet` and `aggregate` overlap (the engine runs them side by side).
        for (const [step, ms] of Object.entries(fields)) {
          if (Number.isFinite(Number(ms))) this.stepMs.set(step, (this.stepMs.get(step) ?? 0) + Number(ms));
        }
      } else if (message.startsWith('load steps') && fields) {
        // Marks are cumulative ms since the load started, in order.
        let previous = 0;
        for (const [step, at] of Object.entries(fields)) {
          const ms = Number(at);
          if (!Number.isFinite(ms)) continue;
          this.stepMs.set(step, (this.stepMs.get(step) ?? 0) + (ms - previous));
          previous = ms;
        }
      }
    },
    warn: (message, fields) => {
      if (this.warnings.length < 20) this.warnings.push(`${message} ${JSON.stringify(fields ?? {})}`);
    },
    error: (message, fields) => {
      if (this.errors.length < 20) this.errors.push(`${message} ${JSON.stringify(fields ?? {})}`);
    },
  };

  /** Writes `<prefix>.loads`, `.loaderBusySec`, `.loadStep.<step>Sec`. */
  report(prefix: string, put: (key: string, value: number) => void): void {
    put(`${prefix}.loads`, this.loads);
    put(`${prefix}.loaderBusySec`, this.busyMs / 1000);
    for (const [step, ms] of this.stepMs) put(`${prefix}.loadStep.${step}Sec`, ms / 1000);
  }
}
