import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDays, formatInstant, formatMs, formatPercent } from './format.ts';

describe('format', () => {
  it('writes the numbers a product manager reads', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPercent(0.4567)).toBe('45.7%');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect(formatMs(840.4)).toBe('840 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(730)).toBe('730 days');
  });

  it('writes bytes in SI units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(123_400_000)).toBe('123 MB');
    expect(formatBytes(2.5e12)).toBe('2.5 TB');
  });

  it('writes instants in UTC', () => {
    expect(formatInstant('2026-11-25T14:05:00Z')).toBe('Nov 25, 2026, 14:05 UTC');
    expect(formatInstant('not a date')).toBe('not a date');
  });
});
