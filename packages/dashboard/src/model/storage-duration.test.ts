import { describe, expect, it } from 'vitest';
import { checkStorageDuration, DURATION_PRESETS, presetFor, STORAGE_DURATION_ERROR } from './storage-duration.ts';

describe('Storage Duration field', () => {
  it('accepts whole days from 1 to 730', () => {
    expect(checkStorageDuration('1')).toEqual({ ok: true, days: 1 });
    expect(checkStorageDuration(' 90 ')).toEqual({ ok: true, days: 90 });
    expect(checkStorageDuration('730')).toEqual({ ok: true, days: 730 });
  });

  it.each(['', '0', '731', '1000', '12.5', '-5', '1e2', '90 days', 'abc'])('rejects %j with the rule', (text) => {
    expect(checkStorageDuration(text)).toEqual({ ok: false, message: STORAGE_DURATION_ERROR });
  });

  it('says the rule in the words of the settings page', () => {
    expect(STORAGE_DURATION_ERROR).toBe('Storage duration must be a whole number from 1 to 730 days');
  });

  it('offers the six presets, 90 days recommended', () => {
    expect(DURATION_PRESETS.map((p) => p.days)).toEqual([7, 30, 90, 180, 365, 730]);
    expect(DURATION_PRESETS.filter((p) => p.recommended).map((p) => p.days)).toEqual([90]);
    expect(presetFor(180)?.useCase).toBe('Mature products with established patterns');
    expect(presetFor(45)).toBeUndefined();
  });
});
