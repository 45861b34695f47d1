import { describe, expect, it } from 'vitest';
import { pivotBySegment } from './segment-series.ts';

describe('pivotBySegment', () => {
  const points = [
    { period: '2026-11-02', segment: 'linux', p95: 300, count: 5 },
    { period: '2026-11-01', segment: 'windows', p95: 120, count: 50 },
    { period: '2026-11-02', segment: 'windows', p95: 130, count: 40 },
    { period: '2026-11-03', segment: null, p95: 90, count: 1 },
  ];

  it('aligns each segment on the union of periods, gaps as null, heaviest first', () => {
    const series = pivotBySegment(points, (p) => p.p95, { weight: (p) => p.count });
    expect(series.periods).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(series.lines).toEqual([
      { segment: 'windows', values: [120, 130, null] },
      { segment: 'linux', values: [null, 300, null] },
      { segment: 'unknown', values: [null, null, 90] },
    ]);
  });

  it('keeps only the chosen segments, in the given order', () => {
    const series = pivotBySegment(points, (p) => p.count, { segments: ['linux', 'mac', 'windows'] });
    expect(series.lines.map((l) => l.segment)).toEqual(['linux', 'windows']);
  });
});
