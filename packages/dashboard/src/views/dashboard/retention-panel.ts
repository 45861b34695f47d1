import type { Granularity, RetentionCohort } from '@telemetry/schema';
import { RETENTION_QUERY, type RetentionResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { h } from '../../ui/dom.ts';
import { formatCount, formatPercent } from '../../ui/format.ts';
import { heatColor } from '../../ui/palette.ts';
import { Panel } from '../../ui/panel.ts';
import { GRANULARITY_OPTIONS, labeledSelect } from '../../ui/select.ts';
import { segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

const PERIOD_NAME: Readonly<Record<Granularity, [singular: string, plural: string]>> = {
  DAY: ['Day', 'Days'],
  WEEK: ['Week', 'Weeks'],
  MONTH: ['Month', 'Months'],
};
const PERIOD_COUNTS = ['4', '8', '12', '26', '52'] as const;

/**
 * Retention cohorts as a heatmap: a row per cohort (users first seen in that period), a column per
 * period after it; a cell shows the share still active and carries the raw counts as data attributes.
 */
export class RetentionPanel implements DashboardPanel {
  private granularity: Granularity = 'WEEK';
  private periods = 12;
  private query: DashboardQuery | null = null;
  private readonly panel: Panel;

  constructor(private readonly context: AppContext) {
    this.panel = new Panel({
      id: 'retention',
      title: 'Retention cohorts',
      description: 'Users grouped by when they were first seen; each cell is the share of the cohort active again that many periods later.',
      controls: [
        labeledSelect('Cohorts by', GRANULARITY_OPTIONS, this.granularity, (v) => ((this.granularity = v), this.reload()), 'retention-granularity'),
        labeledSelect(
          'Periods',
          PERIOD_COUNTS.map((n) => ({ value: n, label: n })),
          '12',
          (v) => ((this.periods = Number(v)), this.reload()),
          'retention-periods',
        ),
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
  }

  private reload(): void {
    const query = this.query;
    if (!query) return;
    const granularity = this.granularity;
    const variables = { ...segmentArgs(query), granularity, periods: this.periods };
    void this.panel.run(
      (signal) => this.context.client.request<RetentionResult>(RETENTION_QUERY, variables, signal),
      ({ retentionCohorts }) => {
        if (retentionCohorts.length === 0 || retentionCohorts.every((c) => c.size === 0)) {
          this.panel.empty('No new users were first seen in this range and filter.');
        } else {
          this.panel.show(heatmap(retentionCohorts, granularity, this.periods), legend());
        }
      },
    );
  }
}

function heatmap(cohorts: readonly RetentionCohort[], granularity: Granularity, periods: number): HTMLElement {
  const [singular, plural] = PERIOD_NAME[granularity];
  const width = Math.min(periods, Math.max(...cohorts.map((c) => c.retained.length)));
  const columns = Array.from({ length: width }, (_, k) => k);
  return h(
    'div',
    { className: 'table-scroll' },
    h(
      'table',
      { className: 'heatmap', 'data-testid': 'retention-heatmap', 'data-granularity': granularity },
      h('caption', { className: 'sr-only' }, `Retention by ${singular.toLowerCase()} cohort: share of each cohort active in each later ${singular.toLowerCase()}`),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, `${singular} cohort`),
          h('th', { scope: 'col', className: 'num' }, 'Users'),
          columns.map((k) =>
            h('th', { scope: 'col', className: 'num', title: `${plural} after first seen`, 'aria-label': `${singular} ${k}` }, `${singular.charAt(0)}${k}`),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        cohorts.map((cohort) =>
          h(
            'tr',
            { 'data-cohort': cohort.cohort, 'data-size': cohort.size },
            h('th', { scope: 'row' }, cohortLabel(cohort.cohort, granularity)),
            h('td', { className: 'num' }, formatCount(cohort.size)),
            columns.map((k) => cell(cohort, k, singular)),
          ),
        ),
      ),
      h('tfoot', null, averageRow(cohorts, columns)),
    ),
  );
}

function cell(cohort: RetentionCohort, k: number, singular: string): HTMLElement {
  if (k >= cohort.retained.length) return h('td', { className: 'heat-none', 'aria-label': 'not reached yet' });
  const retained = cohort.retained[k];
  const rate = cohort.rates[k] ?? (cohort.size === 0 ? 0 : retained / cohort.size);
  const color = heatColor(rate);
  return h(
    'td',
    {
      className: 'heat',
      'data-period': k,
      'data-retained': retained,
      'data-rate': rate,
      style: `background:${color.background};color:${color.text}`,
      title: `${formatCount(retained)} of ${formatCount(cohort.size)} users (${formatPercent(rate)}) active in ${singular.toLowerCase()} ${k}`,
    },
    formatPercent(rate, 0),
  );
}

/** Per period: Σ retained ÷ Σ size over the cohorts that have reached it. */
function averageRow(cohorts: readonly RetentionCohort[], columns: readonly number[]): HTMLElement {
  return h(
    'tr',
    { className: 'heat-average' },
    h('th', { scope: 'row' }, 'All cohorts'),
    h('td', { className: 'num' }, formatCount(cohorts.reduce((sum, c) => sum + c.size, 0))),
    columns.map((k) => {
      const reached = cohorts.filter((c) => k < c.retained.length);
      const size = reached.reduce((sum, c) => sum + c.size, 0);
      if (size === 0) return h('td', { className: 'heat-none' });
      const rate = reached.reduce((sum, c) => sum + c.retained[k], 0) / size;
      return h('td', { className: 'num', 'data-average-rate': rate }, formatPercent(rate, 0));
    }),
  );
}

function cohortLabel(day: string, granularity: Granularity): string {
  if (granularity === 'MONTH') return day.slice(0, 7);
  if (granularity === 'WEEK') return `Week of ${day}`;
  return day;
}

function legend(): HTMLElement {
  const stops = [0, 0.1, 0.25, 0.5, 0.75, 1];
  return h(
    'p',
    { className: 'heat-legend', 'aria-hidden': 'true' },
    'Share active: ',
    stops.map((rate) => {
      const color = heatColor(rate);
      return h('span', { className: 'heat-swatch', style: `background:${color.background};color:${color.text}` }, formatPercent(rate, 0));
    }),
  );
}
