import type { StorageStatus, TelemetrySettings } from '@telemetry/schema';
import { ApiError, describeError } from '../../api/api-error.ts';
import {
  SETTINGS_QUERY,
  STORAGE_QUERY,
  UPDATE_SETTINGS_MUTATION,
  type SettingsResult,
  type StorageResult,
  type UpdateSettingsResult,
} from '../../api/operations.ts';
import type { AppContext, View } from '../../app-context.ts';
import { ROUTE_HASH } from '../../router.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatDays, formatInstant } from '../../ui/format.ts';
import { EnableTelemetryField } from './enable-telemetry-field.ts';
import { recommendedConfigurations } from './recommended-configurations.ts';
import { SettingsHistory } from './settings-history.ts';
import { StorageDurationField } from './storage-duration-field.ts';

/**
 * Settings → Telemetry, as in the admin portal: Enable Telemetry, Storage Duration, Save Settings,
 * and the change history beside them.
 */
export function telemetrySettingsView(context: AppContext): View {
  let saved: TelemetrySettings | null = null;
  let saving = false;

  const enabledField = new EnableTelemetryField(() => edited());
  const durationField = new StorageDurationField(context, () => edited());
  const history = new SettingsHistory(context);
  const message = h('div', { className: 'form-message', 'aria-live': 'polite' });
  const lastChanged = h('p', { className: 'hint last-changed' });
  const dirtyNote = h('span', { className: 'dirty-note', hidden: true }, 'Unsaved changes');
  const saveButton = h('button', { type: 'submit', className: 'button primary', id: 'save-settings' }, 'Save Settings');
  const discardButton = h('button', { type: 'button', className: 'button secondary', disabled: true, onclick: () => discard() }, 'Discard changes');
  const formBody = h('div', { className: 'form-body', 'aria-busy': 'true' }, h('p', { role: 'status' }, 'Loading settings…'));

  const form = h(
    'form',
    { className: 'settings-form card', novalidate: true, 'aria-labelledby': 'telemetry-tab-title', 'data-state': 'loading' },
    h('h2', { id: 'telemetry-tab-title' }, 'Telemetry Settings'),
    h(
      'p',
      { className: 'lead' },
      'Collect anonymized usage data from your deployed products to understand how customers use your software in the field: feature adoption, performance, stability and engagement.',
    ),
    formBody,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });

  function isDirty(): boolean {
    if (!saved) return false;
    return enabledField.value !== saved.enabled || durationField.text.trim() !== String(saved.storageDurationDays);
  }

  function refreshDirty(): void {
    const dirty = isDirty();
    dirtyNote.hidden = !dirty;
    discardButton.disabled = !dirty || saving;
  }

  /** The user changed a field: the last save's outcome no longer describes the form. */
  function edited(): void {
    replaceChildren(message);
    refreshDirty();
  }

  function showSaved(settings: TelemetrySettings): void {
    saved = settings;
    enabledField.setSaved(settings.enabled, settings.storageDurationDays);
    enabledField.set(settings.enabled);
    durationField.setSaved(settings.storageDurationDays);
    durationField.set(settings.storageDurationDays);
    lastChanged.textContent = settings.updatedAt ? `Last changed ${formatInstant(settings.updatedAt)}.` : 'Never changed: these are the defaults.';
    refreshDirty();
  }

  function discard(): void {
    if (saved) showSaved(saved);
    replaceChildren(message, h('p', { role: 'status' }, 'Changes discarded.'));
  }

  async function save(): Promise<void> {
    if (!saved || saving) return;
    if (!durationField.validate(true)) {
      replaceChildren(message, h('p', { className: 'error-box', role: 'alert' }, 'Nothing was saved: fix the storage duration first.'));
      durationField.focus();
      return;
    }
    if (!isDirty()) {
      replaceChildren(message, h('p', { role: 'status' }, 'No changes to save.'));
      return;
    }
    const check = durationField.check();
    const input = { enabled: enabledField.value, storageDurationDays: check.ok ? check.days : saved.storageDurationDays };
    saving = true;
    saveButton.disabled = true;
    saveButton.textContent = 'Saving…';
    form.setAttribute('aria-busy', 'true');
    replaceChildren(message, h('p', { role: 'status' }, 'Saving…'));
    try {
      const { updateSettings } = await context.client.request<UpdateSettingsResult>(UPDATE_SETTINGS_MUTATION, { input });
      showSaved(updateSettings);
      const text = `Settings saved. Telemetry is ${updateSettings.enabled ? 'On' : 'Off'}; data is kept for ${formatDays(updateSettings.storageDurationDays)}.`;
      replaceChildren(message, h('p', { className: 'success-box', role: 'status', 'data-testid': 'save-result' }, text));
      context.announce(text);
      void history.load();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'BAD_USER_INPUT' && error.field === 'storageDurationDays') durationField.showServerError(error.message);
      replaceChildren(
        message,
        h('p', { className: 'error-box', role: 'alert', 'data-testid': 'save-error', 'data-code': error instanceof ApiError ? error.code : null }, describeError(error, 'change settings')),
      );
    } finally {
      saving = false;
      saveButton.disabled = false;
      saveButton.textContent = 'Save Settings';
      form.removeAttribute('aria-busy');
      refreshDirty();
    }
  }

  async function load(): Promise<void> {
    form.dataset.state = 'loading';
    replaceChildren(formBody, h('p', { role: 'status' }, 'Loading settings…'));
    formBody.setAttribute('aria-busy', 'true');
    // Storage only feeds the estimates: the form works without it.
    const storage = context.client.request<StorageResult>(STORAGE_QUERY).then(
      (r): StorageStatus | null => r.storage,
      () => null,
    );
    try {
      const { settings } = await context.client.request<SettingsResult>(SETTINGS_QUERY);
      replaceChildren(
        formBody,
        enabledField.element,
        durationField.element,
        h('div', { className: 'form-actions' }, saveButton, discardButton, dirtyNote),
        message,
        lastChanged,
      );
      showSaved(settings);
      form.dataset.state = 'ready';
      durationField.setStorage(await storage);
    } catch (error) {
      form.dataset.state = 'error';
      replaceChildren(
        formBody,
        h(
          'div',
          { className: 'error-box', role: 'alert' },
          h('p', null, `The settings could not be loaded. ${describeError(error)}`),
          h('button', { type: 'button', className: 'button secondary', onclick: () => void load() }, 'Retry'),
        ),
      );
    } finally {
      formBody.removeAttribute('aria-busy');
    }
  }

  const element = h(
    'div',
    { className: 'page settings' },
    h(
      'div',
      { className: 'page-heading' },
      h('h1', { tabindex: -1 }, 'Settings'),
      h('p', { className: 'page-summary' }, 'Configure how this server collects and keeps product telemetry.'),
    ),
    h('nav', { className: 'tabs', 'aria-label': 'Settings tabs' }, h('a', { href: ROUTE_HASH['settings-telemetry'], 'aria-current': 'page' }, 'Telemetry')),
    h('div', { className: 'settings-layout' }, form, h('aside', { className: 'settings-aside' }, history.element, recommendedConfigurations())),
  );

  void load();
  void history.load();

  return {
    element,
    title: 'Settings → Telemetry',
    destroy() {
      durationField.destroy();
    },
  };
}
