import { describeError } from '../../api/api-error.ts';
import { SETTINGS_HISTORY_QUERY, type SettingsChange, type SettingsHistoryResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatDays, formatInstant } from '../../ui/format.ts';

const SHOWN = 10;
const ROLE_LABEL: Readonly<Record<string, string>> = {
  ADMIN: 'Admin',
  VIEWER: 'Viewer',
  INGEST: 'Ingest key',
  LIBRARY: 'Library',
  SYSTEM: 'System',
};

/** What one change did, in words: "Telemetry turned On; storage 90 → 30 days". */
export function describeChange(change: SettingsChange): string {
  const parts: string[] = [];
  if (change.previous.enabled !== change.current.enabled) parts.push(`Telemetry turned ${change.current.enabled ? 'On' : 'Off'}`);
  if (change.previous.storageDurationDays !== change.current.storageDurationDays) {
    parts.push(`Storage ${change.previous.storageDurationDays} → ${formatDays(change.current.storageDurationDays)}`);
  }
  return parts.length > 0 ? parts.join('; ') : 'Saved without changes';
}

/**
 * The settings change log (the API's `settingsHistory`), newest first. Hidden when the server has no
 * such query.
 */
export class SettingsHistory {
  readonly element: HTMLElement;
  private readonly body = h('div', { className: 'history-body', 'aria-live': 'polite' });
  private showAll = false;
  private changes: SettingsChange[] = [];

  constructor(private readonly context: AppContext) {
    this.element = h(
      'section',
      { className: 'card', id: 'settings-history', 'aria-labelledby': 'settings-history-title', hidden: true },
      h('h2', { id: 'settings-history-title' }, 'Change history'),
      this.body,
    );
  }

  async load(): Promise<void> {
    this.body.setAttribute('aria-busy', 'true');
    try {
      const { settingsHistory } = await this.context.client.request<SettingsHistoryResult>(SETTINGS_HISTORY_QUERY, { limit: 100 });
      this.changes = settingsHistory;
      this.element.hidden = false;
      this.render();
    } catch (error) {
      if ((error as { isUnsupported?: boolean }).isUnsupported) {
        this.element.hidden = true;
        return;
      }
      this.element.hidden = false;
      replaceChildren(this.body, h('p', { className: 'error-box', role: 'alert' }, `The change history could not be loaded: ${describeError(error)}`));
    } finally {
      this.body.removeAttribute('aria-busy');
    }
  }

  private render(): void {
    if (this.changes.length === 0) {
      replaceChildren(this.body, h('p', { className: 'empty' }, 'No changes yet: the settings are the defaults (telemetry Off, 90 days).'));
      return;
    }
    const shown = this.showAll ? this.changes : this.changes.slice(0, SHOWN);
    replaceChildren(
      this.body,
      h(
        'table',
        { className: 'data-table compact', 'data-testid': 'settings-history' },
        h('caption', { className: 'sr-only' }, 'Settings changes, newest first'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'By'), h('th', { scope: 'col' }, 'Change'))),
        h(
          'tbody',
          null,
          shown.map((change) =>
            h(
              'tr',
              null,
              h('td', { className: 'nowrap' }, formatInstant(change.at)),
              h('td', { className: 'nowrap' }, ROLE_LABEL[change.role] ?? change.role),
              h('td', null, describeChange(change)),
            ),
          ),
        ),
      ),
      this.changes.length > SHOWN
        ? h(
            'button',
            { type: 'button', className: 'link-button', onclick: () => ((this.showAll = !this.showAll), this.render()) },
            this.showAll ? 'Show fewer' : `Show all ${this.changes.length} changes`,
          )
        : null,
    );
  }
}
