import { eachDay, type StorageStatus } from '@telemetry/schema';
import { type StorageResult, STORAGE_QUERY, SETTINGS_QUERY, type SettingsResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import { averageBytesPerDay, projectStorageBytes } from '../../model/storage-estimates.ts';
import { checkStorageDuration, DURATION_PRESETS } from '../../model/storage-duration.ts';
import { h, uid } from '../../ui/dom.ts';
import { formatBytes, formatCount, formatDays } from '../../ui/format.ts';
import { renderChart, type ChartHandle } from '../../ui/line-chart.ts';
import { seriesColor } from '../../ui/palette.ts';
import { Panel } from '../../ui/panel.ts';
import type { DashboardPanel } from './dashboard-panel.ts';

/**
 * What is stored now (partitions, bytes, oldest day) and what a storage duration would take at the
 * current rate. Independent of the dashboard filters: loaded once, refreshed on demand.
 */
export class StoragePanel implements DashboardPanel {
  private readonly panel: Panel;
  private chart: ChartHandle | null = null;
  private loaded = false;

  constructor(private readonly context: AppContext) {
    this.panel = new Panel({
      id: 'storage',
      title: 'Storage',
      description: 'Raw events on disk, one partition per day, and what a storage duration would cost at today’s rate.',
      controls: h('button', { type: 'button', className: 'button secondary small', onclick: () => this.refresh() }, 'Refresh'),
    });
  }

  get element(): HTMLElement {
    return this.panel.element;
  }

  load(): void {
    if (!this.loaded) this.refresh();
    this.loaded = true;
  }

  destroy(): void {
    this.panel.dispose();
    this.chart?.destroy();
  }

  private refresh(): void {
    void this.panel.run(
      (signal) =>
        Promise.all([
          this.context.client.request<StorageResult>(STORAGE_QUERY, {}, signal),
          this.context.client.request<SettingsResult>(SETTINGS_QUERY, {}, signal),
        ]),
      ([{ storage }, { settings }]) => this.render(storage, settings.storageDurationDays),
    );
  }

  private render(storage: StorageStatus, currentDuration: number): void {
    this.chart?.destroy();
    this.chart = null;
    const perDay = averageBytesPerDay(storage);
    const facts = h(
      'dl',
      { className: 'facts' },
      fact('Stored events', formatCount(storage.totalEvents)),
      fact('Size on disk', formatBytes(storage.totalBytes)),
      fact('Day partitions', formatCount(storage.partitions.length)),
      fact('Oldest day', storage.oldestDay ?? '–'),
      fact('Newest day', storage.newestDay ?? '–'),
      fact('Average per day', perDay === null ? '–' : formatBytes(perDay)),
    );
    if (storage.oldestDay && storage.newestDay && storage.partitions.length > 0) {
      const bytesByDay = new Map(storage.partitions.map((p) => [p.day as string, p.bytes]));
      const days = eachDay(storage.oldestDay, storage.newestDay);
      this.chart = renderChart({
        title: 'Bytes stored per day',
        days,
        series: [{ label: 'Bytes', values: days.map((d) => bytesByDay.get(d) ?? 0), color: seriesColor(5), bars: true }],
        left: { label: 'Bytes', format: formatBytes },
        height: 150,
      });
    }
    this.panel.show(facts, this.chart?.element ?? h('p', { className: 'empty' }, 'Nothing is stored yet.'), projection(storage, currentDuration));
  }
}

function fact(label: string, value: string): HTMLElement {
  return h('div', null, h('dt', null, label), h('dd', null, value));
}

function projection(storage: StorageStatus, currentDuration: number): HTMLElement {
  const id = uid('projection-days');
  const listId = uid('duration-presets');
  const result = h('output', { for: id, className: 'projection-result', 'aria-live': 'polite' });
  const input = h('input', { id, type: 'number', min: 1, max: 730, step: 1, value: String(currentDuration), list: listId, className: 'narrow' });
  const update = () => {
    const check = checkStorageDuration(input.value);
    input.setAttribute('aria-invalid', String(!check.ok));
    if (!check.ok) {
      result.textContent = check.message;
      return;
    }
    const bytes = projectStorageBytes(storage, check.days);
    result.textContent =
      bytes === null
        ? 'No data yet to estimate from.'
        : `≈ ${formatBytes(bytes)} for ${formatDays(check.days)} of raw events${check.days === currentDuration ? ' (the current setting)' : ''}.`;
  };
  input.addEventListener('input', update);
  update();
  return h(
    'div',
    { className: 'projection' },
    h('label', { for: id }, 'Storage for a duration of'),
    input,
    h('span', null, 'days'),
    h('datalist', { id: listId }, DURATION_PRESETS.map((p) => h('option', { value: String(p.days) }))),
    result,
  );
}
