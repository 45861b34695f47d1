import { describe, expect, it } from 'vitest';
import { formatTable, peakRssMb, percentile, ProgressReporter, startRssSampler } from './stats.ts';

describe('percentile', () => {
  it('interpolates linearly like percentile_cont', () => {
    expect(percentile([10, 20, 30, 40], 0.95)).toBeCloseTo(38.5, 10);
    expect(percentile([40, 10, 30, 20], 0.5)).toBe(25);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.95)).toBeNaN();
    expect(() => percentile([1], 95)).toThrow(/p must be in/);
  });
});

describe('ProgressReporter', () => {
  it('prints at most once per interval, with rate and ETA, and always a final line', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new ProgressReporter({ label: 'ingest', total: 1_000_000, clock: () => now, write: (l) => lines.push(l) });
    now = 500;
    progress.update(100_000);
    now = 1000;
    progress.update(200_000);
    now = 1500;
    progress.update(300_000);
    now = 4000;
    expect(progress.finish(1_000_000)).toBe(250_000);
    expect(lines).toEqual([
      'ingest: 200,000 / 1,000,000 events (20.0%), 200k events/s, ETA 4.0s',
      'ingest: 1,000,000 / 1,000,000 events (100.0%), 250k events/s, 4.0s',
    ]);
  });
});

describe('formatTable', () => {
  it('aligns keys left and values right', () => {
    const text = formatTable({ events: 1_000_000, 'ingest.library.eventsPerSec': 412_345.67, 'query.speedup': 12.3456, note: null });
    expect(text.split('\n')).toEqual([
      'key                              value',
      '---------------------------  ---------',
      'events                       1,000,000',
      'ingest.library.eventsPerSec  412,345.7',
      'query.speedup                   12.346',
      'note                                 -',
    ]);
  });
});

describe('peak RSS', () => {
  it('reports the lifetime peak and a per-stage sampled peak in MB', () => {
    const sampler = startRssSampler(10);
    const { peakMb, lifetimePeakMb } = sampler.stop();
    expect(peakMb).toBeGreaterThan(10);
    expect(lifetimePeakMb).toBeGreaterThanOrEqual(peakMb * 0.9);
    expect(peakRssMb()).toBeGreaterThan(10);
  });
});
