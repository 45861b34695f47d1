import { DEFAULT_STORAGE_DAYS, MAX_STORAGE_DAYS, MIN_STORAGE_DAYS, type StorageStatus } from '@telemetry/schema';
import { isAbort } from '../../api/api-error.ts';
import { STORAGE_ESTIMATE_QUERY, type StorageEstimateResult } from '../../api/operations.ts';
import type { AppContext } from '../../app-context.ts';
import { utcToday } from '../../model/dashboard-query.ts';
import { averageBytesPerDay, estimatePendingDeletion, projectStorageBytes } from '../../model/storage-estimates.ts';
import { checkStorageDuration, DURATION_PRESETS, presetFor, type DurationCheck } from '../../model/storage-duration.ts';
import { ROUTE_HASH } from '../../router.ts';
import { h, replaceChildren } from '../../ui/dom.ts';
import { formatBytes, formatCount, formatDays } from '../../ui/format.ts';

const PREVIEW_DELAY_MS = 250;

/**
 * Storage Duration (days): a whole number 1–730 with the six presets, an inline error for anything
 * else, what the duration would cost at today's rate, and — when shortening — what the next cleanup
 * would delete (the API's `storageEstimate`, or counted from the stored partitions when it has none).
 */
export class StorageDurationField {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error = h('p', { id: 'storage-duration-error', className: 'field-error', 'aria-live': 'polite' });
  private readonly note = h('p', { id: 'storage-duration-note', className: 'hint preset-note' });
  private readonly estimate = h('p', { className: 'estimate', 'data-testid': 'storage-projection' });
  private readonly preview = h('div', { className: 'preview-slot', 'aria-live': 'polite' });
  private readonly presetButtons: HTMLButtonElement[];
  private saved = DEFAULT_STORAGE_DAYS;
  private storage: StorageStatus | null = null;
  private estimateSupported = true;
  private previewTimer: number | undefined;
  private previewRequest: AbortController | null = null;

  constructor(
    private readonly context: AppContext,
    private readonly onChange: () => void,
  ) {
    this.input = h('input', {
      id: 'storage-duration',
      name: 'storageDurationDays',
      type: 'number',
      inputMode: 'numeric',
      min: MIN_STORAGE_DAYS,
      max: MAX_STORAGE_DAYS,
      step: 1,
      required: true,
      className: 'narrow',
      'aria-describedby': 'storage-duration-help storage-duration-note storage-duration-error',
      oninput: () => this.changed(false),
      onblur: () => this.validate(true),
    });
    this.presetButtons = DURATION_PRESETS.map((preset) =>
      h(
        'button',
        {
          type: 'button',
          className: 'chip',
          'data-days': preset.days,
          'aria-pressed': 'false',
          title: `${preset.behavior}. ${preset.useCase}.`,
          onclick: () => {
            this.input.value = String(preset.days);
            this.changed(true);
          },
        },
        formatDays(preset.days),
        preset.recommended ? h('span', { className: 'chip-badge' }, 'Recommended') : null,
      ),
    );
    this.element = h(
      'section',
      { className: 'setting', 'aria-labelledby': 'storage-duration-heading' },
      h('h3', { id: 'storage-duration-heading' }, h('label', { for: 'storage-duration' }, 'Storage Duration (days)')),
      h(
        'p',
        { id: 'storage-duration-help', className: 'hint' },
        `How long telemetry data is kept before it is deleted automatically: ${MIN_STORAGE_DAYS}–${MAX_STORAGE_DAYS} days (2 years maximum). Default: ${DEFAULT_STORAGE_DAYS} days.`,
      ),
      h(
        'div',
        { className: 'duration-row' },
        h('span', { className: 'input-with-unit' }, this.input, h('span', { 'aria-hidden': 'true' }, 'days')),
        h('div', { className: 'presets', role: 'group', 'aria-label': 'Storage duration presets' }, this.presetButtons),
      ),
      this.error,
      this.note,
      this.estimate,
      this.preview,
      h(
        'p',
        { className: 'hint' },
        'After this period, raw telemetry events are permanently deleted by the daily cleanup job. Aggregated reports remain available (without raw data).',
      ),
    );
  }

  /** The field as typed, checked. */
  check(): DurationCheck {
    return checkStorageDuration(this.input.value);
  }

  get text(): string {
    return this.input.value;
  }

  setSaved(days: number): void {
    this.saved = days;
    this.refresh();
  }

  setStorage(storage: StorageStatus | null): void {
    this.storage = storage;
    this.refresh();
  }

  set(days: number): void {
    this.input.value = String(days);
    this.validate(false);
    this.refresh();
  }

  /** Shows the rule under the field when it is broken (`show`), and says whether it holds. */
  validate(show: boolean): boolean {
    const check = this.check();
    if (check.ok) {
      this.input.removeAttribute('aria-invalid');
      this.error.textContent = '';
    } else if (show) {
      this.input.setAttribute('aria-invalid', 'true');
      this.error.textContent = check.message;
    }
    return check.ok;
  }

  /** A message from the server about this field (BAD_USER_INPUT on storageDurationDays). */
  showServerError(message: string): void {
    this.input.setAttribute('aria-invalid', 'true');
    this.error.textContent = message;
  }

  focus(): void {
    this.input.focus();
  }

  destroy(): void {
    window.clearTimeout(this.previewTimer);
    this.previewRequest?.abort();
  }

  private changed(fromPreset: boolean): void {
    // While typing, an error appears only once the text can no longer become valid by more typing.
    const check = this.check();
    this.validate(fromPreset || (!check.ok && (this.input.value.length >= 3 || this.input.validity.badInput || /^0/.test(this.input.value))));
    this.refresh();
    this.onChange();
  }

  private refresh(): void {
    const check = this.check();
    const days = check.ok ? check.days : null;
    for (const button of this.presetButtons) button.setAttribute('aria-pressed', String(Number(button.dataset.days) === days));
    const preset = days === null ? undefined : presetFor(days);
    this.note.textContent = preset ? `${formatDays(preset.days)}: ${preset.behavior}. ${preset.useCase}.` : '';
    this.renderEstimate(days);
    this.schedulePreview(days);
  }

  private renderEstimate(days: number | null): void {
    const storage = this.storage;
    const perDay = storage ? averageBytesPerDay(storage) : null;
    if (days === null || !storage || perDay === null) {
      this.estimate.textContent = storage && perDay === null ? 'No data is stored yet, so there is no rate to estimate storage from.' : '';
      return;
    }
    this.estimate.textContent = `At the current rate (≈ ${formatBytes(perDay)} per stored day), ${formatDays(days)} of raw events take about ${formatBytes(projectStorageBytes(storage, days)!)}.`;
  }

  private schedulePreview(days: number | null): void {
    window.clearTimeout(this.previewTimer);
    this.previewRequest?.abort();
    if (days === null || days >= this.saved) {
      replaceChildren(this.preview);
      return;
    }
    this.previewTimer = window.setTimeout(() => void this.loadPreview(days), PREVIEW_DELAY_MS);
  }

  private async loadPreview(days: number): Promise<void> {
    const request = new AbortController();
    this.previewRequest = request;
    let deletion: { days: number; events: number; oldestKeptDay: string } | null = null;
    let estimated = false;
    if (this.estimateSupported) {
      try {
        const { storageEstimate } = await this.context.client.request<StorageEstimateResult>(STORAGE_ESTIMATE_QUERY, { days }, request.signal);
        deletion = { days: storageEstimate.deletedDays, events: storageEstimate.deletedEvents, oldestKeptDay: storageEstimate.oldestKeptDay };
      } catch (error) {
        if (request.signal.aborted || isAbort(error)) return;
        if ((error as { isUnsupported?: boolean }).isUnsupported) this.estimateSupported = false;
      }
    }
    if (!deletion && this.storage) {
      deletion = estimatePendingDeletion(this.storage, days, utcToday());
      estimated = true;
    }
    if (request.signal.aborted) return;
    replaceChildren(this.preview, deletion ? deletionPreview(this.saved, days, deletion, estimated) : null);
  }
}

function deletionPreview(from: number, to: number, deletion: { days: number; events: number; oldestKeptDay: string }, estimated: boolean): HTMLElement {
  if (deletion.days === 0) {
    return h(
      'div',
      { className: 'notice-box', 'data-testid': 'pending-deletion', 'data-days': 0, 'data-events': 0 },
      `Shortening from ${formatDays(from)} to ${formatDays(to)} deletes nothing now: no stored day is older than ${deletion.oldestKeptDay}.`,
    );
  }
  return h(
    'div',
    { className: 'warning-box', 'data-testid': 'pending-deletion', 'data-days': deletion.days, 'data-events': deletion.events },
    h(
      'p',
      null,
      h('strong', null, 'Pending deletion: '),
      `shortening from ${formatDays(from)} to ${formatDays(to)} will permanently delete ${estimated ? 'about ' : ''}`,
      h('strong', null, `${formatDays(deletion.days)} of raw events (${formatCount(deletion.events)} events)`),
      `, everything before ${deletion.oldestKeptDay}, at the next daily cleanup. Aggregated reports remain available.`,
    ),
    h('p', null, 'Export critical data before reducing retention: ', h('a', { href: `${ROUTE_HASH.dashboard}?section=exports` }, 'Export data on the Dashboard'), '.'),
  );
}
