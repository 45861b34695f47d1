import type { CrashRatePoint, Granularity } from '@telemetry/schema';
import { CRASH_BY_VERSION_QUERY, type CrashRateResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import { busiestVersions, summarizeByVersion, type VersionCrashSummary } from '../../model/crash-by-version.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { pivotBySegment } from '../../model/segment-series.ts';
import { h } from '../../ui/dom.ts';
import { formatCount, formatPercent } from '../../ui/format.ts';
import { renderChart, type ChartHandle } from '../../ui/line-chart.ts';
import { seriesColor } from '../../ui/palette.ts';
import { Panel } from '../../ui/panel.ts';
import { GRANULARITY_OPTIONS, labeledSelect } from '../../ui/select.ts';
import { segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

type ChartMetric = 'crashFreeUsersRate' | 'crashRate';
const CHART_METRICS = [
  { value: 'crashFreeUsersRate', label: 'Crash-free users' },
  { value: 'crashRate', label: 'Crash rate (sessions)' },
] as const;
const MAX_LINES = 6;

/** Crash rate and crash-free users per app version: a chart over time and a table over the range. */
export class CrashPanel implements DashboardPanel {
  private granularity: Granularity = 'DAY';
  private chartMetric: ChartMetric = 'crashFreeUsersRate';
  private query: DashboardQuery | null = null;
  private points: readonly CrashRatePoint[] = [];
  private chart: ChartHandle | null = null;
  private readonly panel: Panel;

  constructor(private readonly context: AppContext) {
    this.panel = new Panel({
      id: 'crashes',
      title: 'Stability by version',
      description: 'Crash rate (crashed sessions ÷ sessions) and crash-free users per app version.',
      wide: true,
      controls: [
        labeledSelect('Chart', CHART_METRICS, this.chartMetric, (v) => ((this.chartMetric = v), this.redraw()), 'crash-chart-metric'),
        labeledSelect('Per', GRANULARITY_OPTIONS, this.granularity, (v) => ((this.granularity = v), this.reload()), 'crash-granularity'),
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
    const variables = { ...segmentArgs(query), granularity: this.granularity };
    void this.panel.run(
      (signal) => this.context.client.request<CrashRateResult>(CRASH_BY_VERSION_QUERY, variables, signal),
      ({ crashRate }) => {
        this.points = crashRate;
        this.render();
      },
    );
  }

  private redraw(): void {
    if (this.panel.state === 'ready' || this.panel.state === 'empty') this.render();
  }

  private render(): void {
    this.chart?.destroy();
    this.chart = null;
    const withSessions = this.points.filter((p) => p.sessions > 0);
    if (withSessions.length === 0) {
      this.panel.empty('No sessions in this range and filter.');
      return;
    }
    const summaries = summarizeByVersion(withSessions);
    const drawn = busiestVersions(summaries, MAX_LINES);
    const metric = this.chartMetric;
    const series = pivotBySegment(withSessions, (p) => p[metric], { segments: drawn });
    const label = CHART_METRICS.find((m) => m.value === metric)!.label;
    this.chart = renderChart({
      title: `${label} by app version`,
      days: series.periods,
      series: series.lines.map((line, i) => ({ label: line.segment, values: line.values, color: seriesColor(i) })),
      left: { label, format: (v) => formatPercent(v, v > 0 && v < 0.01 ? 2 : 1), range: metric === 'crashFreeUsersRate' ? 'auto' : 'zero' },
    });
    this.panel.show(
      h(
        'div',
        { className: 'split even' },
        h(
          'div',
          null,
          this.chart.element,
          summaries.length > MAX_LINES ? h('p', { className: 'hint' }, `The chart shows the ${MAX_LINES} versions with the most sessions; the table has all ${summaries.length}.`) : null,
        ),
        versionTable(summaries),
      ),
    );
  }
}

function versionTable(rows: readonly VersionCrashSummary[]): HTMLElement {
  const worst = Math.max(...rows.map((r) => r.crashRate), 0.0001);
  return h(
    'div',
    { className: 'table-scroll tall' },
    h(
      'table',
      { className: 'data-table', 'data-testid': 'crash-table' },
      h('caption', { className: 'sr-only' }, 'Crash rate and crash-free users by app version over the range'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Version'),
          h('th', { scope: 'col', className: 'num' }, 'Sessions'),
          h('th', { scope: 'col', className: 'num', title: 'Crashed sessions ÷ sessions' }, 'Crash rate'),
          h('th', { scope: 'col', className: 'num' }, 'Crashes'),
          h('th', { scope: 'col', className: 'num', title: 'Share of active users without a crash, per period, weighted by users' }, 'Crash-free users'),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            { 'data-version': r.version },
            h('th', { scope: 'row' }, r.version),
            h('td', { className: 'num' }, formatCount(r.sessions)),
            h(
              'td',
              { className: 'num' },
              h(
                'span',
                { className: 'bar-cell' },
                h('span', { className: 'bar danger', 'aria-hidden': 'true' }, h('span', { className: 'bar-fill', style: `width: ${((r.crashRate / worst) * 100).toFixed(1)}%` })),
                h('span', { className: 'bar-label' }, formatPercent(r.crashRate, 2)),
              ),
            ),
            h('td', { className: 'num' }, formatCount(r.crashes)),
            h('td', { className: 'num' }, formatPercent(r.crashFreeUsersRate, 2)),
          ),
        ),
      ),
    ),
  );
}
