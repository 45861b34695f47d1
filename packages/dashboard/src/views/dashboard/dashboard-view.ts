import { daysBetween } from '@telemetry/schema';
import { FILTER_VALUES_QUERY, SETTINGS_QUERY, type FilterValuesResult, type SettingsResult } from '../../api/operations.ts';
import type { AppContext, View } from '../../app-context.ts';
import { dashboardQueryParams, FILTER_LISTS, parseDashboardQuery, utcToday } from '../../model/dashboard-query.ts';
import { ROUTE_HASH } from '../../router.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatDays } from '../../ui/format.ts';
import { ActiveUsersPanel } from './active-users-panel.ts';
import { CrashPanel } from './crash-panel.ts';
import type { DashboardPanel } from './dashboard-panel.ts';
import { ExportPanel } from './export-panel.ts';
import { FeatureAdoptionPanel } from './feature-adoption-panel.ts';
import { FilterBar } from './filter-bar.ts';
import { LatencyPanel } from './latency-panel.ts';
import { RetentionPanel } from './retention-panel.ts';
import { StoragePanel } from './storage-panel.ts';

/** The weekly product review: active users, adoption, latency, stability, retention; storage and exports. */
export function dashboardView(context: AppContext, params: URLSearchParams): View {
  let query = parseDashboardQuery(params, utcToday());
  let choicesFor: string | null = null;

  const panels: DashboardPanel[] = [
    new ActiveUsersPanel(context),
    new FeatureAdoptionPanel(context),
    new RetentionPanel(context),
    new LatencyPanel(context),
    new CrashPanel(context),
    new StoragePanel(context),
    new ExportPanel(context),
  ];
  const summary = h('p', { className: 'page-summary' });
  const banner = h('div', { className: 'banner-slot' });
  const filterBar = new FilterBar(query, (next) => context.navigate(`${ROUTE_HASH.dashboard}?${dashboardQueryParams(next)}`));

  function loadAll(): void {
    const days = daysBetween(query.range.from, query.range.to) + 1;
    const filters = FILTER_LISTS.filter((list) => query.filter[list].length > 0).length;
    summary.textContent = `${query.range.from} – ${query.range.to} (${formatDays(days)}, UTC) · ${
      filters === 0 ? 'all segments' : `${filters} filter${filters === 1 ? '' : 's'} applied`
    }`;
    for (const panel of panels) panel.load(query);
    loadChoices();
  }

  /** The filter menus list what was active in the 30 days up to the range's end. */
  function loadChoices(): void {
    if (choicesFor === query.range.to) return;
    choicesFor = query.range.to;
    const day = query.range.to;
    context.client
      .request<FilterValuesResult>(FILTER_VALUES_QUERY, { range: { from: day, to: day } })
      .then((values) => filterBar.setChoices(values))
      .catch(() => {
        choicesFor = null; // The menus keep their free-text field; try again with the next change.
      });
  }

  context.client
    .request<SettingsResult>(SETTINGS_QUERY)
    .then(({ settings }) => {
      if (!settings.enabled) {
        replaceChildren(
          banner,
          h(
            'div',
            { className: 'notice-box', role: 'note' },
            h('strong', null, 'Telemetry is off. '),
            'Products send nothing and no new events are stored; the data already stored stays until it expires. ',
            h('a', { href: ROUTE_HASH['settings-telemetry'] }, 'Open Settings → Telemetry'),
          ),
        );
      }
    })
    .catch(() => {});

  const element = h(
    'div',
    { className: 'page dashboard' },
    h('div', { className: 'page-heading' }, h('h1', { tabindex: -1 }, 'Dashboard'), summary),
    banner,
    filterBar.element,
    h('div', { className: 'panel-grid' }, panels.map((p) => p.element)),
  );
  loadAll();
  // `?section=exports` (from the settings page's deletion warning) scrolls to that panel.
  const section = params.get('section');
  if (section) requestAnimationFrame(() => element.querySelector(`#${CSS.escape(section)}`)?.scrollIntoView({ block: 'start' }));

  return {
    element,
    title: 'Dashboard',
    update(nextParams) {
      const next = parseDashboardQuery(nextParams, utcToday());
      if (dashboardQueryParams(next).toString() === dashboardQueryParams(query).toString()) return;
      query = next;
      filterBar.set(next);
      loadAll();
    },
    destroy() {
      filterBar.destroy();
      for (const panel of panels) panel.destroy();
    },
  };
}
