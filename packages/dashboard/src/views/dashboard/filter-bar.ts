import { addDays, type Day } from '@telemetry/schema';
import type { FilterValuesResult } from '../../api/operations.ts';
import { dashboardQueryParams, emptyFilter, FILTER_LISTS, rangeProblem, utcToday, type DashboardQuery, type FilterList } from '../../model/dashboard-query.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatCount } from '../../ui/format.ts';
import { MultiSelect } from '../../ui/multi-select.ts';

const FILTER_LABELS: Readonly<Record<FilterList, readonly [label: string, all: string]>> = {
  products: ['Product', 'All products'],
  appVersions: ['Version', 'All versions'],
  os: ['OS', 'All systems'],
  countries: ['Country', 'All countries'],
  licenseTypes: ['License type', 'All license types'],
};
const QUICK_RANGES = [7, 30, 90, 180] as const;

/**
 * The date range and the five segment filters. Every change is handed to `onChange` at once (the
 * dashboard puts it in the URL); a malformed range is explained inline and not applied.
 */
export class FilterBar {
  readonly element: HTMLElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly rangeMessage = h('p', { id: 'range-problem', className: 'field-error', 'aria-live': 'polite' });
  private readonly selects: Record<FilterList, MultiSelect>;
  private query: DashboardQuery;

  constructor(query: DashboardQuery, private readonly onChange: (query: DashboardQuery) => void) {
    this.query = query;
    this.from = h('input', { id: 'range-from', type: 'date', required: true, value: query.range.from, onchange: () => this.applyRange() });
    this.to = h('input', { id: 'range-to', type: 'date', required: true, value: query.range.to, onchange: () => this.applyRange() });
    this.selects = Object.fromEntries(
      FILTER_LISTS.map((list) => [
        list,
        new MultiSelect({
          label: FILTER_LABELS[list][0],
          allLabel: FILTER_LABELS[list][1],
          name: list,
          values: query.filter[list],
          onChange: (values) => this.emit({ ...this.query, filter: { ...this.query.filter, [list]: values } }),
        }),
      ]),
    ) as Record<FilterList, MultiSelect>;

    this.element = h(
      'form',
      { className: 'filter-bar', 'aria-label': 'Date range and filters', onsubmit: (e: Event) => e.preventDefault() },
      h(
        'fieldset',
        { className: 'range' },
        h('legend', null, 'Date range (UTC)'),
        h('label', { for: 'range-from', className: 'sr-only' }, 'From'),
        this.from,
        h('span', { 'aria-hidden': 'true' }, '–'),
        h('label', { for: 'range-to', className: 'sr-only' }, 'To'),
        this.to,
        h(
          'span',
          { className: 'quick-ranges', role: 'group', 'aria-label': 'Quick ranges' },
          QUICK_RANGES.map((days) =>
            h('button', { type: 'button', className: 'chip', 'data-days': days, onclick: () => this.lastDays(days) }, `${days}d`),
          ),
        ),
      ),
      h(
        'fieldset',
        { className: 'segments' },
        h('legend', null, 'Filters'),
        FILTER_LISTS.map((list) => this.selects[list].element),
        h('button', { type: 'button', className: 'link-button', onclick: () => this.clearFilters() }, 'Clear filters'),
      ),
      this.rangeMessage,
    );
    document.addEventListener('click', this.closePopovers);
  }

  /** Shows a query that arrived from the URL (back button, bookmark). */
  set(query: DashboardQuery): void {
    // The URL echoing this bar's own change: leave the controls (and the focus in them) alone.
    if (dashboardQueryParams(query).toString() === dashboardQueryParams(this.query).toString()) return;
    this.query = query;
    this.from.value = query.range.from;
    this.to.value = query.range.to;
    replaceChildren(this.rangeMessage);
    this.from.removeAttribute('aria-invalid');
    this.to.removeAttribute('aria-invalid');
    for (const list of FILTER_LISTS) this.selects[list].setValues(query.filter[list]);
  }

  setChoices(values: FilterValuesResult): void {
    for (const list of FILTER_LISTS) {
      const rows = (values[list] ?? []).filter((row) => row.segment !== null && row.mau > 0);
      rows.sort((a, b) => b.mau - a.mau || a.segment!.localeCompare(b.segment!));
      this.selects[list].setChoices(rows.map((row) => ({ value: row.segment!, hint: `${formatCount(row.mau)} MAU` })));
    }
  }

  destroy(): void {
    document.removeEventListener('click', this.closePopovers);
  }

  private readonly closePopovers = (event: Event): void => {
    for (const list of FILTER_LISTS) this.selects[list].closeUnless(event.target);
  };

  private applyRange(): void {
    const range = { from: this.from.value, to: this.to.value };
    const problem = rangeProblem(range);
    this.from.setAttribute('aria-invalid', String(problem !== null));
    this.to.setAttribute('aria-invalid', String(problem !== null));
    this.rangeMessage.textContent = problem ?? '';
    if (problem === null) this.emit({ ...this.query, range: { from: range.from as Day, to: range.to as Day } });
  }

  private lastDays(days: number): void {
    const today = utcToday();
    this.from.value = addDays(today, -(days - 1));
    this.to.value = today;
    this.applyRange();
  }

  private clearFilters(): void {
    this.emit({ ...this.query, filter: emptyFilter() });
  }

  private emit(query: DashboardQuery): void {
    this.query = query;
    this.onChange(query);
  }
}
