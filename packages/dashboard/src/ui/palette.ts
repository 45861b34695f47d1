/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
export const SERIES_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C6D31'] as const;

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/**
 * The heatmap colour of a rate 0..1: from near-white to deep blue, and the text colour that stays
 * readable on it (WCAG contrast ≥ 4.5 for both ends).
 */
export function heatColor(rate: number): { background: string; text: string } {
  const t = Math.min(1, Math.max(0, Number.isFinite(rate) ? rate : 0));
  // sqrt spreads the low rates, where most retention cells are.
  const s = Math.sqrt(t);
  const lightness = 97 - s * 67; // 97% .. 30%
  const saturation = 55 + s * 25;
  return { background: `hsl(212 ${saturation.toFixed(0)}% ${lightness.toFixed(1)}%)`, text: lightness < 58 ? '#ffffff' : '#0b1f33' };
}
