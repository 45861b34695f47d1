import { h, replaceChildren } from '../../ui/dom.ts';

/** The product page's warning, shown as telemetry is switched on. */
export const PRIVACY_WARNING =
  'Enabling telemetry requires updating your privacy policy and providing clear disclosure to customers about what data is collected and how it’s used.';
export const GDPR_NOTE =
  'If you operate in the EU or serve EU customers, ensure your telemetry collection is GDPR-compliant. This includes obtaining appropriate consent, providing data access mechanisms, and honoring deletion requests.';

const COLLECTED = [
  ['Usage metrics', 'feature usage, session frequency and duration, workflow patterns'],
  ['Feature adoption', 'which features are used, discovery, time to first use'],
  ['Performance', 'startup and response times'],
  ['Stability', 'crashes, errors and exception types'],
  ['Environment', 'OS and version, app version, license type, country (never a finer location)'],
  ['Interactions', 'button clicks, menu selections, navigation'],
] as const;
const NOT_COLLECTED = [
  'Personally identifiable information (PII)',
  'Customer names, emails, or contact details',
  'User-created content or documents',
  'Passwords or authentication credentials',
  'File names or directory structures',
  'Specific IP addresses (only country-level geo-data)',
  'Keystroke logging or screen captures',
] as const;

/**
 * The Enable Telemetry switch (default Off). Turning it on shows the privacy-policy warning; turning
 * it off says what stops and what stays.
 */
export class EnableTelemetryField {
  readonly element: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly toggleText: HTMLElement;
  private readonly consequence: HTMLElement;
  private enabled = false;
  private saved = false;
  private storageDays = 90;

  constructor(private readonly onChange: () => void) {
    this.toggleText = h('span', { className: 'switch-text' }, 'Off');
    this.toggle = h(
      'button',
      {
        type: 'button',
        id: 'telemetry-enabled',
        className: 'switch',
        role: 'switch',
        'aria-checked': 'false',
        'aria-labelledby': 'enable-telemetry-label',
        'aria-describedby': 'enable-telemetry-help',
        onclick: () => this.set(!this.enabled, true),
      },
      h('span', { className: 'switch-track', 'aria-hidden': 'true' }, h('span', { className: 'switch-thumb' })),
      this.toggleText,
    );
    this.consequence = h('div', { className: 'consequence' });
    this.element = h(
      'section',
      { className: 'setting', 'aria-labelledby': 'enable-telemetry-label' },
      h(
        'div',
        { className: 'setting-row' },
        h(
          'div',
          null,
          h('h3', { id: 'enable-telemetry-label' }, 'Enable Telemetry'),
          h('p', { id: 'enable-telemetry-help', className: 'hint' }, 'Turns data collection from your products in the field on or off. Default: Off.'),
        ),
        this.toggle,
      ),
      h(
        'ul',
        { className: 'on-off' },
        h('li', null, h('strong', null, 'On: '), 'the system collects, processes and stores usage data from activated licenses.'),
        h('li', null, h('strong', null, 'Off: '), 'no telemetry data is collected or stored: the server tells products that telemetry is off and keeps nothing they send. Products function normally.'),
      ),
      this.consequence,
      h(
        'details',
        { className: 'collected' },
        h('summary', null, 'What is collected, and what is not'),
        h(
          'div',
          { className: 'two-lists' },
          h('div', null, h('h4', null, 'Collected when enabled'), h('ul', null, COLLECTED.map(([what, detail]) => h('li', null, h('strong', null, what), ` — ${detail}`)))),
          h('div', null, h('h4', null, 'Never collected'), h('ul', { className: 'not-collected' }, NOT_COLLECTED.map((item) => h('li', null, item)))),
        ),
        h('p', { className: 'hint' }, 'User and license ids are stored only as keyed hashes; e-mail addresses, IP addresses and file paths in event text are redacted before storage.'),
      ),
    );
  }

  get value(): boolean {
    return this.enabled;
  }

  /** The saved state: the warning is about a change from it. */
  setSaved(enabled: boolean, storageDays: number): void {
    this.saved = enabled;
    this.storageDays = storageDays;
    this.render();
  }

  set(enabled: boolean, byUser = false): void {
    this.enabled = enabled;
    this.render();
    if (byUser) this.onChange();
  }

  focus(): void {
    this.toggle.focus();
  }

  private render(): void {
    this.toggle.setAttribute('aria-checked', String(this.enabled));
    this.toggleText.textContent = this.enabled ? 'On' : 'Off';
    if (this.enabled && !this.saved) {
      replaceChildren(
        this.consequence,
        h(
          'div',
          { className: 'warning-box', role: 'alert', 'data-testid': 'privacy-warning' },
          h('p', null, h('strong', null, '⚠ Warning: '), PRIVACY_WARNING),
          h('p', null, h('strong', null, 'GDPR compliance: '), GDPR_NOTE),
        ),
      );
    } else if (!this.enabled && this.saved) {
      replaceChildren(
        this.consequence,
        h(
          'div',
          { className: 'notice-box', role: 'status' },
          `Turning telemetry off stops collection: products send nothing and no new events are stored. Data already stored stays until it expires (after ${this.storageDays} days).`,
        ),
      );
    } else {
      replaceChildren(this.consequence);
    }
  }
}
