import { EXPORT_DATASETS, EXPORT_FORMATS, type ExportDataset, type ExportFormat } from '@telemetry/schema';
import { describeError } from '../../api/api-error.ts';
import { CREATE_EXPORT_MUTATION, type CreateExportResult, type ExportResultInfo } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import type { DashboardQuery } from '../../model/dashboard-query.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatBytes, formatCount, formatInstant } from '../../ui/format.ts';
import { Panel } from '../../ui/panel.ts';
import { describeRange, segmentArgs, type DashboardPanel } from './dashboard-panel.ts';

const DATASET_LABEL: Readonly<Record<ExportDataset, string>> = { EVENTS: 'Raw events', DAILY_AGGREGATES: 'Daily aggregates' };
const FORMAT_LABEL: Readonly<Record<ExportFormat, string>> = { PARQUET: 'Parquet', CSV: 'CSV', NDJSON: 'NDJSON', ARROW: 'Arrow' };
const EXTENSION: Readonly<Record<ExportFormat, string>> = { PARQUET: 'parquet', CSV: 'csv', NDJSON: 'ndjson', ARROW: 'arrows' };

/** The file name a download is saved under: telemetry-events-2026-10-27_2026-11-25.csv */
export function exportFileName(dataset: ExportDataset, format: ExportFormat, query: DashboardQuery): string {
  const kind = dataset === 'EVENTS' ? 'events' : 'daily-aggregates';
  return `telemetry-${kind}-${query.range.from}_${query.range.to}.${EXTENSION[format]}`;
}

/**
 * Exports the current range and filter: `createExport`, then a GET of its URL with the token (a
 * header, so not a plain link) into a Blob that the browser saves.
 */
export class ExportPanel implements DashboardPanel {
  private readonly panel = new Panel({
    id: 'exports',
    title: 'Export data',
    description: 'Save the date range and filters above as a file, for analysis elsewhere or before shortening storage.',
  });
  private readonly scope = h('p', { className: 'hint' });
  private readonly message = h('div', { className: 'form-message', 'aria-live': 'polite' });
  private readonly downloads = h('ul', { className: 'download-list', 'aria-label': 'Exported files' });
  private readonly objectUrls: string[] = [];
  private query: DashboardQuery | null = null;
  private busy = false;

  constructor(private readonly context: AppContext) {
    this.panel.show(
      this.scope,
      h(
        'table',
        { className: 'export-grid' },
        h('caption', { className: 'sr-only' }, 'Export buttons by dataset and format'),
        h('thead', null, h('tr', null, h('td'), EXPORT_FORMATS.map((f) => h('th', { scope: 'col' }, FORMAT_LABEL[f])))),
        h(
          'tbody',
          null,
          EXPORT_DATASETS.map((dataset) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, DATASET_LABEL[dataset]),
              EXPORT_FORMATS.map((format) =>
                h(
                  'td',
                  null,
                  h(
                    'button',
                    {
                      type: 'button',
                      className: 'button secondary small',
                      'data-dataset': dataset,
                      'data-format': format,
                      'aria-label': `Export ${DATASET_LABEL[dataset].toLowerCase()} as ${FORMAT_LABEL[format]}`,
                      onclick: (event: Event) => void this.export(dataset, format, event.currentTarget as HTMLButtonElement),
                    },
                    FORMAT_LABEL[format],
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      this.message,
      this.downloads,
    );
  }

  get element(): HTMLElement {
    return this.panel.element;
  }

  load(query: DashboardQuery): void {
    this.query = query;
    const filtered = Object.values(query.filter).some((list) => list.length > 0);
    this.scope.textContent = `Exports cover ${describeRange(query)}${filtered ? ', with the filters above' : ', all segments'}. Creating an export needs an admin token.`;
  }

  destroy(): void {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
  }

  private async export(dataset: ExportDataset, format: ExportFormat, button: HTMLButtonElement): Promise<void> {
    const query = this.query;
    if (!query || this.busy) return;
    this.busy = true;
    const label = `${DATASET_LABEL[dataset].toLowerCase()} as ${FORMAT_LABEL[format]}`;
    button.setAttribute('aria-busy', 'true');
    this.setButtonsDisabled(true);
    replaceChildren(this.message, h('p', { role: 'status' }, `Preparing ${label}…`));
    try {
      const { createExport } = await this.context.client.request<CreateExportResult>(CREATE_EXPORT_MUTATION, { dataset, format, ...segmentArgs(query) });
      replaceChildren(this.message, h('p', { role: 'status' }, `Downloading ${label} (${formatBytes(createExport.bytes)})…`));
      const blob = await this.context.client.download(createExport.url);
      const name = exportFileName(dataset, format, query);
      const href = URL.createObjectURL(blob);
      this.objectUrls.push(href);
      h('a', { href, download: name }).click();
      this.downloads.prepend(downloadItem(createExport, name, href, blob.size));
      replaceChildren(this.message, h('p', { role: 'status' }, `Exported ${formatCount(createExport.rows)} rows of ${label}; the download has started.`));
      this.context.announce(`Export ready: ${name}`);
    } catch (error) {
      replaceChildren(this.message, h('p', { className: 'error-box', role: 'alert' }, describeError(error, 'create exports')));
    } finally {
      this.busy = false;
      button.removeAttribute('aria-busy');
      this.setButtonsDisabled(false);
    }
  }

  private setButtonsDisabled(disabled: boolean): void {
    for (const button of this.panel.element.querySelectorAll<HTMLButtonElement>('button[data-format]')) button.disabled = disabled;
  }
}

function downloadItem(info: ExportResultInfo, name: string, href: string, size: number): HTMLElement {
  return h(
    'li',
    { 'data-export-id': info.id },
    h('a', { href, download: name }, name),
    h('span', { className: 'hint' }, ` ${formatCount(info.rows)} rows · ${formatBytes(size)} · server copy until ${formatInstant(info.expiresAt)}`),
  );
}
