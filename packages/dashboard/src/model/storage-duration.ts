import { DEFAULT_STORAGE_DAYS, MAX_STORAGE_DAYS, MIN_STORAGE_DAYS, STORAGE_DURATION_PRESETS } from '@telemetry/schema';

export const STORAGE_DURATION_ERROR = `Storage duration must be a whole number from ${MIN_STORAGE_DAYS} to ${MAX_STORAGE_DAYS} days`;

export type DurationCheck = { readonly ok: true; readonly days: number } | { readonly ok: false; readonly message: string };

/**
 * Reads the Storage Duration field as typed: a whole number of days from 1 to 730, nothing else
 * (no "90 days", no 12.5, no 1e2).
 *
 * @example
 * checkStorageDuration('180') // => { ok: true, days: 180 }
 * checkStorageDuration('0')   // => { ok: false, message: 'Storage duration must be a whole number from 1 to 730 days' }
 */
export function checkStorageDuration(text: string): DurationCheck {
  const trimmed = text.trim();
  if (!/^\d{1,4}$/.test(trimmed)) return { ok: false, message: STORAGE_DURATION_ERROR };
  const days = Number(trimmed);
  if (days < MIN_STORAGE_DAYS || days > MAX_STORAGE_DAYS) return { ok: false, message: STORAGE_DURATION_ERROR };
  return { ok: true, days };
}

export interface DurationPreset {
  readonly days: (typeof STORAGE_DURATION_PRESETS)[number];
  /** How the data behaves (the product page's "Behavior" column). */
  readonly behavior: string;
  /** Who it suits (its "Use case" column). */
  readonly useCase: string;
  readonly recommended: boolean;
}

const PRESET_TEXT: Readonly<Record<DurationPreset['days'], readonly [string, string]>> = {
  7: ['Very short retention; minimal storage', 'Testing phase, minimal data needs'],
  30: ['Recent data only; good for active monitoring', 'Early-stage products, rapid iteration'],
  90: ['Quarterly view; balanced approach', 'Recommended default for most products'],
  180: ['Semi-annual analysis; seasonal trends', 'Mature products with established patterns'],
  365: ['Annual comparison; full yearly trends', 'Enterprise products, compliance requirements'],
  730: ['Maximum retention; multi-year analysis', 'Long-term research, historical comparison'],
};

/** The preset buttons of the Storage Duration field, in order. */
export const DURATION_PRESETS: readonly DurationPreset[] = STORAGE_DURATION_PRESETS.map((days) => ({
  days,
  behavior: PRESET_TEXT[days][0],
  useCase: PRESET_TEXT[days][1],
  recommended: days === DEFAULT_STORAGE_DAYS,
}));

export function presetFor(days: number): DurationPreset | undefined {
  return DURATION_PRESETS.find((preset) => preset.days === days);
}
