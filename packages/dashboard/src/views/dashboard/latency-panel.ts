import type { Granularity, LatencyPoint } from '@telemetry/schema';
import { LATENCY_BY_OS_QUERY, type LatencyResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { pivotBySegment } from '../../model/segment-series.ts';
import { h } from '../../ui/dom.ts';
import { formatMs } from '../../ui/format.ts';
import { renderChart, type ChartHandle } from '../../ui/line-chart.ts';
import { seriesColor } from '../../ui/palette.ts';
import { Panel } from '../../ui/panel.ts';
import { GRANULARITY_OPTIONS, labeledSelect } from '../../ui/select.ts';
import { segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

type Percentile = 'p50' | 'p90' | 'p95' | 'p99';
const PERCENTILES = [
  { value: 'p50', label: 'p50 (median)' },
  { value: 'p90', label: 'p90' },
  { value: 'p95', label: 'p95' },
  { value: 'p99', label: 'p99' },
] as const;
/** The performance metrics products send (ingest.md: `name` of a `performance` event). */
const METRICS = [
  { value: 'startup', label: 'Startup time' },
  { value: 'response', label: 'Response time' },
] as const;
type Metric = (typeof METRICS)[number]['value'];
/** More lines than this stop being readable; the rest stay in the data table. */
const MAX_LINES = 8;

/** A latency percentile per period, one line per operating system. */
export class LatencyPanel implements DashboardPanel {
  private metric: Metric = 'startup';
  private percentile: Percentile = 'p95';
  private granularity: Granularity = 'DAY';
  private query: DashboardQuery | null = null;
  private points: readonly LatencyPoint[] = [];
  private chart: ChartHandle | null = null;
  private readonly panel: Panel;

  constructor(private readonly context: AppContext) {
    this.panel = new Panel({
      id: 'latency',
      title: 'Latency by OS',
      description: 'How long users wait, per operating system: the chosen percentile of the chosen timing.',
      controls: [
        labeledSelect('Metric', METRICS, this.metric, (v) => ((this.metric = v), this.reload()), 'latency-metric'),
        labeledSelect('Percentile', PERCENTILES, this.percentile, (v) => ((this.percentile = v), this.redraw()), 'latency-percentile'),
        labeledSelect('Per', GRANULARITY_OPTIONS, this.granularity, (v) => ((this.granularity = v), this.reload()), 'latency-granularity'),
      ],
    });
  }

  get element(): HTMLElement {
    return this.panel.element;
  }

  load(query: DashboardQuery): void {
    this.query = query;
    this.reload();
  }

  destroy(): void {
    this.panel.dispose();
    this.chart?.destroy();
  }

  private reload(): void {
    const query = this.query;
    if (!query) return;
    const variables = { ...segmentArgs(query), metric: this.metric, granularity: this.granularity };
    void this.panel.run(
      (signal) => this.context.client.request<LatencyResult>(LATENCY_BY_OS_QUERY, variables, signal),
      ({ latency }) => {
        this.points = latency;
        this.render();
      },
    );
  }

  /** A new percentile needs no request: the answer has all four. */
  private redraw(): void {
    if (this.panel.state === 'ready' || this.panel.state === 'empty') this.render();
  }

  private render(): void {
    this.chart?.destroy();
    this.chart = null;
    const metricLabel = METRICS.find((m) => m.value === this.metric)!.label.toLowerCase();
    if (this.points.length === 0) {
      this.panel.empty(`No ${metricLabel} measurements in this range and filter.`);
      return;
    }
    const series = pivotBySegment(this.points, (p) => p[this.percentile], { weight: (p) => p.count });
    const lines = series.lines.slice(0, MAX_LINES);
    this.chart = renderChart({
      title: `${this.percentile} ${metricLabel} by OS`,
      days: series.periods,
      series: lines.map((line, i) => ({ label: line.segment, values: line.values, color: seriesColor(i) })),
      left: { label: `${this.percentile} ${metricLabel}`, format: formatMs },
    });
    this.panel.show(
      this.chart.element,
      series.lines.length > MAX_LINES
        ? h('p', { className: 'hint' }, `Showing the ${MAX_LINES} operating systems with the most measurements of ${series.lines.length}.`)
        : null,
    );
  }
}
