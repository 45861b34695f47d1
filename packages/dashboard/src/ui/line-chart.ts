import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.ts';

export interface ChartSeries {
  readonly label: string;
  /** One value per day of `ChartSpec.days`; null where there is none (a gap, not a zero). */
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Which axis the series is read against. */
  readonly axis?: 'left' | 'right';
  readonly dash?: readonly number[];
  readonly bars?: boolean;
}

export interface ChartAxis {
  readonly label: string;
  readonly format: (value: number) => string;
  /** `zero`: from 0 to a little over the largest value (counts); `auto`: fit the data (rates near 100%). */
  readonly range?: 'zero' | 'auto' | readonly [number, number];
}

export interface ChartSpec {
  /** What the chart shows, for its accessible name and the data table's caption. */
  readonly title: string;
  /** The x values: UTC days `YYYY-MM-DD` (first day of each period). */
  readonly days: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly left: ChartAxis;
  readonly right?: ChartAxis;
  readonly height?: number;
}

export interface ChartHandle {
  readonly element: HTMLElement;
  destroy(): void;
}

const UTC_TZ = 'Etc/UTC';

/**
 * A uPlot time-series chart of days with its data as a table behind a disclosure (the text alternative).
 * `data-points` on the figure counts the non-null values drawn, so a test can tell an empty chart.
 * Follows its container's width; call `destroy` when the chart is replaced.
 */
export function renderChart(spec: ChartSpec): ChartHandle {
  const points = spec.series.reduce((sum, s) => sum + s.values.filter((v) => v !== null && Number.isFinite(v)).length, 0);
  const plotHost = h('div', { className: 'chart-plot', role: 'img', 'aria-label': describeChart(spec) });
  const figure = h(
    'figure',
    { className: 'chart', 'data-points': points, 'data-series': spec.series.length },
    plotHost,
    dataTable(spec),
  );

  const height = spec.height ?? 240;
  const x = spec.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
  const data = [x, ...spec.series.map((s) => s.values.map((v) => (v === null || !Number.isFinite(v) ? null : v)))] as uPlot.AlignedData;
  let plot: uPlot | null = null;

  // uPlot needs a width: build on first layout, then follow the container.
  const observer = new ResizeObserver(() => {
    const width = Math.floor(plotHost.clientWidth);
    if (width <= 0) return;
    if (!plot) plot = new uPlot(plotOptions(spec, width, height), data, plotHost);
    else if (Math.abs(plot.width - width) > 1) plot.setSize({ width, height });
  });
  observer.observe(plotHost);

  return {
    element: figure,
    destroy() {
      observer.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}

function plotOptions(spec: ChartSpec, width: number, height: number): uPlot.Options {
  const axisFont = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const scales: uPlot.Scales = { x: { time: true }, left: { range: rangeOf(spec.left) } };
  const axes: uPlot.Axis[] = [
    { font: axisFont, stroke: '#4a5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d5d9df' } },
    {
      scale: 'left',
      label: spec.left.label,
      labelFont: axisFont,
      font: axisFont,
      stroke: '#4a5563',
      size: 60,
      grid: { stroke: '#eef0f3' },
      ticks: { stroke: '#d5d9df' },
      values: (_u, splits) => splits.map((v) => spec.left.format(v)),
    },
  ];
  if (spec.right) {
    const right = spec.right;
    scales.right = { range: rangeOf(right) };
    axes.push({
      scale: 'right',
      side: 1,
      label: right.label,
      labelFont: axisFont,
      font: axisFont,
      stroke: '#4a5563',
      size: 60,
      grid: { show: false },
      ticks: { stroke: '#d5d9df' },
      values: (_u, splits) => splits.map((v) => right.format(v)),
    });
  }
  return {
    width,
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), UTC_TZ),
    scales,
    axes,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    series: [
      { label: 'Day', value: '{YYYY}-{MM}-{DD}' },
      ...spec.series.map((s): uPlot.Series => {
        const axis = s.axis === 'right' && spec.right ? spec.right : spec.left;
        return {
          label: s.label,
          scale: s.axis === 'right' && spec.right ? 'right' : 'left',
          stroke: s.color,
          width: 2,
          dash: s.dash ? [...s.dash] : undefined,
          fill: s.bars ? `${s.color}cc` : undefined,
          paths: s.bars ? uPlot.paths.bars!({ size: [0.7, 48] }) : undefined,
          points: s.bars ? { show: false } : { size: 5 },
          value: (_u, v) => (v === null || v === undefined ? '–' : axis.format(v)),
        };
      }),
    ],
  };
}

function rangeOf(axis: ChartAxis): uPlot.Scale.Range {
  const range = axis.range ?? 'zero';
  if (Array.isArray(range)) return [range[0], range[1]] as uPlot.Range.MinMax;
  if (range === 'auto') return (_u, min, max) => uPlot.rangeNum(min, max, 0.2, true);
  return (_u, _min, max) => [0, max > 0 ? uPlot.rangeNum(0, max, 0.1, true)[1] : 1];
}

function describeChart(spec: ChartSpec): string {
  const first = spec.days[0];
  const last = spec.days[spec.days.length - 1];
  const span = first ? ` from ${first} to ${last}` : '';
  return `${spec.title}${span}: ${spec.series.map((s) => s.label).join(', ')}. The data is in the table below the chart.`;
}

function dataTable(spec: ChartSpec): HTMLElement {
  return h(
    'details',
    { className: 'chart-data' },
    h('summary', null, 'Show data as a table'),
    h(
      'div',
      { className: 'table-scroll' },
      h(
        'table',
        { className: 'data-table compact' },
        h('caption', { className: 'sr-only' }, spec.title),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), spec.series.map((s) => h('th', { scope: 'col' }, s.label)))),
        h(
          'tbody',
          null,
          spec.days.map((day, i) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, day),
              spec.series.map((s) => {
                const v = s.values[i];
                const axis = s.axis === 'right' && spec.right ? spec.right : spec.left;
                return h('td', { className: 'num' }, v === null || v === undefined ? '–' : axis.format(v));
              }),
            ),
          ),
        ),
      ),
    ),
  );
}
