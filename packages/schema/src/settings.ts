import { BadInputError } from './errors.ts';

export interface TelemetrySettings {
  readonly enabled: boolean;
  readonly storageDurationDays: number;
  /** ISO instant of the last change; null until first changed. */
  readonly updatedAt: string | null;
}

export interface TelemetrySettingsInput {
  readonly enabled?: boolean | null;
  readonly storageDurationDays?: number | null;
}

/** Who made a change: the API passes the token's role, library callers pass `library`. */
export type ActorRole = 'admin' | 'viewer' | 'ingest' | 'library' | 'system';

export const MIN_STORAGE_DAYS = 1;
export const MAX_STORAGE_DAYS = 730;
export const DEFAULT_STORAGE_DAYS = 90;
/** The presets the admin portal offers. */
export const STORAGE_DURATION_PRESETS = [7, 30, 90, 180, 365, 730] as const;

export const DEFAULT_SETTINGS: TelemetrySettings = Object.freeze({
  enabled: false,
  storageDurationDays: DEFAULT_STORAGE_DAYS,
  updatedAt: null,
});

/** Checks an update; throws BadInputError naming the field and the rule. */
export function validateSettingsInput(input: TelemetrySettingsInput): void {
  const d = input.storageDurationDays;
  if (d !== undefined && d !== null) {
    if (!Number.isInteger(d) || d < MIN_STORAGE_DAYS || d > MAX_STORAGE_DAYS) {
      throw new BadInputError(
        'storageDurationDays',
        `storageDurationDays must be a whole number of days from ${MIN_STORAGE_DAYS} to ${MAX_STORAGE_DAYS}; got ${d}`,
      );
    }
  }
  if (input.enabled !== undefined && input.enabled !== null && typeof input.enabled !== 'boolean') {
    throw new BadInputError('enabled', 'enabled must be true or false');
  }
}
