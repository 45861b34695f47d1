import type { ActiveUsersPoint } from '@telemetry/schema';
import { ACTIVE_USERS_QUERY, type ActiveUsersResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { h } from '../../ui/dom.ts';
import { formatCount, formatPercent } from '../../ui/format.ts';
import { renderChart, type ChartHandle } from '../../ui/line-chart.ts';
import { seriesColor } from '../../ui/palette.ts';
import { Panel } from '../../ui/panel.ts';
import { segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

/** DAU, WAU, MAU and stickiness: the latest values as tiles, the range as a chart. */
export class ActiveUsersPanel implements DashboardPanel {
  private readonly panel = new Panel({
    id: 'active-users',
    title: 'Active users',
    description: 'Distinct users with any event: per day (DAU), over 7 days (WAU) and 30 days (MAU). Stickiness = DAU ÷ MAU.',
    wide: true,
  });
  private chart: ChartHandle | null = null;

  constructor(private readonly context: AppContext) {}

  get element(): HTMLElement {
    return this.panel.element;
  }

  load(query: DashboardQuery): void {
    void this.panel.run(
      (signal) => this.context.client.request<ActiveUsersResult>(ACTIVE_USERS_QUERY, { ...segmentArgs(query) }, signal),
      ({ activeUsers }) => this.render(activeUsers),
    );
  }

  destroy(): void {
    this.panel.dispose();
    this.chart?.destroy();
  }

  private render(points: readonly ActiveUsersPoint[]): void {
    this.chart?.destroy();
    this.chart = null;
    if (points.length === 0 || points.every((p) => p.mau === 0)) {
      this.panel.empty('No active users in this range and filter.');
      return;
    }
    const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    this.chart = renderChart({
      title: 'Active users per day',
      days: sorted.map((p) => p.day),
      series: [
        { label: 'DAU', values: sorted.map((p) => p.dau), color: seriesColor(0) },
        { label: 'WAU', values: sorted.map((p) => p.wau), color: seriesColor(1) },
        { label: 'MAU', values: sorted.map((p) => p.mau), color: seriesColor(2) },
        { label: 'Stickiness', values: sorted.map((p) => p.stickiness), color: seriesColor(3), axis: 'right', dash: [6, 4] },
      ],
      left: { label: 'Users', format: formatCount },
      right: { label: 'Stickiness', format: (v) => formatPercent(v, 0), range: 'zero' },
      height: 230,
    });
    this.panel.show(
      h(
        'div',
        { className: 'split' },
        h(
          'dl',
          { className: 'tiles', 'aria-label': `Latest values, on ${last.day}` },
          tile('DAU', formatCount(last.dau), change(first.dau, last.dau), `on ${last.day}`),
          tile('WAU', formatCount(last.wau), change(first.wau, last.wau), '7 days to date'),
          tile('MAU', formatCount(last.mau), change(first.mau, last.mau), '30 days to date'),
          tile('Stickiness', formatPercent(last.stickiness), pointsChange(first.stickiness, last.stickiness), 'DAU ÷ MAU'),
        ),
        this.chart.element,
      ),
    );
  }
}

function tile(label: string, value: string, delta: Delta | null, note: string): HTMLElement {
  return h(
    'div',
    { className: 'tile' },
    h('dt', null, label),
    h(
      'dd',
      null,
      h('span', { className: 'tile-value' }, value),
      delta ? h('span', { className: `delta ${delta.direction}`, title: 'Change since the first day of the range' }, delta.text) : null,
      h('span', { className: 'tile-note' }, note),
    ),
  );
}

interface Delta {
  readonly text: string;
  readonly direction: 'up' | 'down' | 'flat';
}

function change(from: number, to: number): Delta | null {
  if (from === 0) return null;
  const ratio = (to - from) / from;
  return delta(ratio, `${ratio >= 0 ? '+' : '−'}${formatPercent(Math.abs(ratio), 0)} in range`);
}

function pointsChange(from: number, to: number): Delta {
  const diff = (to - from) * 100;
  return delta(diff / 100, `${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(1)} pts in range`);
}

function delta(signed: number, text: string): Delta {
  return { text, direction: Math.abs(signed) < 0.005 ? 'flat' : signed > 0 ? 'up' : 'down' };
}
