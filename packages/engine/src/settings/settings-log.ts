import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type ActorRole,
  DEFAULT_SETTINGS,
  type TelemetrySettings,
  type TelemetrySettingsInput,
  validateSettingsInput,
} from '@telemetry/schema';
import type { SettingsChange } from '../engine.ts';
import { fsyncDir, fsyncFile } from '../storage/fsync.ts';

/**
 * The settings are event-sourced: an append-only NDJSON file of every change (when, old, new, by
 * which role). The current settings are the last change's `new`, or the defaults (telemetry OFF,
 * 90 days). Each change is fsynced before it takes effect, so a setting that was answered survives
 * a crash.
 */
export class SettingsLog {
  private history: SettingsChange[] = [];

  private constructor(private readonly path: string) {}

  static async open(path: string): Promise<SettingsLog> {
    const log = new SettingsLog(path);
    await mkdir(dirname(path), { recursive: true });
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        log.history.push(JSON.parse(line) as SettingsChange);
      } catch {
        // A torn last line from a crash mid-append: that change was never acknowledged.
      }
    }
    return log;
  }

  current(): TelemetrySettings {
    const last = this.history[this.history.length - 1];
    return last ? last.new : DEFAULT_SETTINGS;
  }

  changes(): readonly SettingsChange[] {
    return this.history;
  }

  /** Validates and applies a change; a no-op input still records nothing and returns the current settings. */
  async update(input: TelemetrySettingsInput, role: ActorRole, nowMs: number): Promise<TelemetrySettings> {
    validateSettingsInput(input);
    const old = this.current();
    const next: TelemetrySettings = {
      enabled: input.enabled ?? old.enabled,
      storageDurationDays: input.storageDurationDays ?? old.storageDurationDays,
      updatedAt: new Date(nowMs).toISOString(),
    };
    if (next.enabled === old.enabled && next.storageDurationDays === old.storageDurationDays && old.updatedAt !== null) {
      return old;
    }
    const change: SettingsChange = { at: next.updatedAt!, role, old, new: next };
    const fresh = this.history.length === 0;
    await appendFile(this.path, JSON.stringify(change) + '\n', { mode: 0o600 });
    await fsyncFile(this.path);
    if (fresh) await fsyncDir(dirname(this.path));
    this.history.push(change);
    return next;
  }
}
