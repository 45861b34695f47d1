import type { FeatureAdoption } from '@telemetry/schema';
import { FEATURE_ADOPTION_QUERY, type FeatureAdoptionResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatCount, formatPercent } from '../../ui/format.ts';
import { Panel } from '../../ui/panel.ts';
import { segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

interface Column {
  readonly key: string;
  readonly label: string;
  readonly title?: string;
  readonly numeric: boolean;
  readonly sortValue: (f: FeatureAdoption) => number | string;
  readonly cell: (f: FeatureAdoption) => HTMLElement | string;
}

const repeatRate = (f: FeatureAdoption) => (f.adopters === 0 ? 0 : f.repeatAdopters / f.adopters);

const COLUMNS: readonly Column[] = [
  { key: 'feature', label: 'Feature', numeric: false, sortValue: (f) => f.feature, cell: (f) => f.feature },
  {
    key: 'adoptionRate',
    label: 'Adoption',
    title: 'Adopters ÷ active users in the range',
    numeric: true,
    sortValue: (f) => f.adoptionRate,
    cell: (f) => bar(f.adoptionRate),
  },
  {
    key: 'adopters',
    label: 'Adopters',
    title: 'Users who used the feature at least once in the range, of all active users',
    numeric: true,
    sortValue: (f) => f.adopters,
    cell: (f) => `${formatCount(f.adopters)} / ${formatCount(f.activeUsers)}`,
  },
  {
    key: 'repeat',
    label: 'Repeat use',
    title: 'Adopters who used it on 2 or more days in the range',
    numeric: true,
    sortValue: repeatRate,
    cell: (f) => `${formatPercent(repeatRate(f))} (${formatCount(f.repeatAdopters)})`,
  },
  { key: 'uses', label: 'Uses', numeric: true, sortValue: (f) => f.uses, cell: (f) => formatCount(f.uses) },
  {
    key: 'timeToFirstUse',
    label: 'Time to first use',
    title: 'Median days from the feature’s first appearance to each new adopter’s first use',
    numeric: true,
    sortValue: (f) => f.medianDaysToFirstUse ?? Number.POSITIVE_INFINITY,
    cell: (f) => (f.medianDaysToFirstUse === null ? '–' : `${f.medianDaysToFirstUse.toFixed(1)} d`),
  },
  { key: 'firstSeen', label: 'First seen', numeric: false, sortValue: (f) => f.firstSeen, cell: (f) => f.firstSeen },
];

function bar(ratio: number): HTMLElement {
  return h(
    'span',
    { className: 'bar-cell' },
    h('span', { className: 'bar', 'aria-hidden': 'true' }, h('span', { className: 'bar-fill', style: `width: ${Math.min(100, ratio * 100).toFixed(1)}%` })),
    h('span', { className: 'bar-label' }, formatPercent(ratio)),
  );
}

/** Per feature: adoption rate, adopters, repeat use, uses, time to first use. Sortable by any column. */
export class FeatureAdoptionPanel implements DashboardPanel {
  private readonly panel = new Panel({
    id: 'feature-adoption',
    title: 'Feature adoption',
    description: 'Which features active users discover, how soon after release, and how many come back to them.',
    wide: true,
  });
  private rows: FeatureAdoption[] = [];
  private sort: { key: string; descending: boolean } = { key: 'adoptionRate', descending: true };
  private tableHost = h('div', { className: 'table-scroll tall' });

  constructor(private readonly context: AppContext) {}

  get element(): HTMLElement {
    return this.panel.element;
  }

  load(query: DashboardQuery): void {
    void this.panel.run(
      (signal) => this.context.client.request<FeatureAdoptionResult>(FEATURE_ADOPTION_QUERY, { ...segmentArgs(query) }, signal),
      ({ featureAdoption }) => {
        this.rows = featureAdoption;
        if (featureAdoption.length === 0) this.panel.empty('No feature was used in this range and filter.');
        else {
          this.renderTable();
          this.panel.show(this.tableHost);
        }
      },
    );
  }

  destroy(): void {
    this.panel.dispose();
  }

  private renderTable(): void {
    const column = COLUMNS.find((c) => c.key === this.sort.key) ?? COLUMNS[1];
    const direction = this.sort.descending ? -1 : 1;
    const rows = [...this.rows].sort((a, b) => {
      const x = column.sortValue(a);
      const y = column.sortValue(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order * direction || a.feature.localeCompare(b.feature);
    });
    replaceChildren(
      this.tableHost,
      h(
        'table',
        { className: 'data-table', 'data-testid': 'feature-adoption-table' },
        h('caption', { className: 'sr-only' }, 'Feature adoption; column headers sort the table'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            COLUMNS.map((c) =>
              h(
                'th',
                {
                  scope: 'col',
                  className: c.numeric ? 'num' : null,
                  'aria-sort': c.key === this.sort.key ? (this.sort.descending ? 'descending' : 'ascending') : null,
                },
                h(
                  'button',
                  { type: 'button', className: 'sort-button', title: c.title ?? null, onclick: () => this.sortBy(c) },
                  c.label,
                  h('span', { className: 'sort-mark', 'aria-hidden': 'true' }, c.key === this.sort.key ? (this.sort.descending ? '▼' : '▲') : ''),
                ),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((f) =>
            h(
              'tr',
              { 'data-feature': f.feature },
              COLUMNS.map((c, i) =>
                i === 0 ? h('th', { scope: 'row' }, c.cell(f)) : h('td', { className: c.numeric ? 'num' : null }, c.cell(f)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private sortBy(column: Column): void {
    this.sort =
      this.sort.key === column.key ? { key: column.key, descending: !this.sort.descending } : { key: column.key, descending: column.numeric };
    this.renderTable();
    this.tableHost.querySelector<HTMLButtonElement>(`th[aria-sort] .sort-button`)?.focus();
  }
}
