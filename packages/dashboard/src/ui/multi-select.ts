import { h, replaceChildren, uid } from './dom.ts';

export interface Choice {
  readonly value: string;
  /** A hint shown beside the value, e.g. its monthly active users. */
  readonly hint?: string;
}

export interface MultiSelectOptions {
  /** Visible label, e.g. "Product". */
  readonly label: string;
  /** What no selection means, e.g. "All products". */
  readonly allLabel: string;
  /** The name of the hidden comma list, for tests and forms. */
  readonly name: string;
  readonly values: readonly string[];
  readonly onChange: (values: string[]) => void;
}

/**
 * A drop-down of checkboxes for the values seen in the data, plus a comma-separated text field for
 * values not listed (or when the list could not be loaded). Built on <details>/<summary>, so it opens
 * with Enter or Space; Escape closes it and returns focus.
 */
export class MultiSelect {
  readonly element: HTMLElement;
  private readonly details: HTMLDetailsElement;
  private readonly summaryValue: HTMLElement;
  private readonly list: HTMLElement;
  private readonly other: HTMLInputElement;
  private choices: readonly Choice[] = [];
  private selected: string[];

  constructor(private readonly options: MultiSelectOptions) {
    this.selected = [...options.values];
    const otherId = uid(`${options.name}-other`);
    this.summaryValue = h('span', { className: 'multi-value' });
    this.list = h('div', { className: 'multi-list' });
    this.other = h('input', {
      id: otherId,
      type: 'text',
      name: options.name,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'e.g. a, b',
      onchange: () => this.commit(true),
    });
    this.details = h(
      'details',
      { className: 'multi', 'data-filter': options.name },
      h('summary', { className: 'multi-summary' }, h('span', { className: 'multi-label' }, options.label), this.summaryValue),
      h(
        'div',
        { className: 'multi-popover' },
        h('fieldset', null, h('legend', { className: 'sr-only' }, options.label), this.list),
        h('label', { for: otherId, className: 'multi-other-label' }, 'Values (comma-separated)'),
        this.other,
        h('button', { type: 'button', className: 'link-button', onclick: () => this.clear() }, `Clear (${options.allLabel.toLowerCase()})`),
      ),
    );
    this.details.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.details.open) {
        this.details.open = false;
        this.details.querySelector('summary')?.focus();
      }
    });
    this.element = this.details;
    this.render();
  }

  get values(): string[] {
    return [...this.selected];
  }

  /** Shows values that came from elsewhere (the URL); does not call onChange. */
  setValues(values: readonly string[]): void {
    this.selected = [...values];
    this.render();
  }

  setChoices(choices: readonly Choice[]): void {
    this.choices = choices;
    this.render();
  }

  /** Closes the pop-over when a click lands outside it. */
  closeUnless(target: EventTarget | null): void {
    if (this.details.open && !(target instanceof Node && this.details.contains(target))) this.details.open = false;
  }

  private clear(): void {
    this.selected = [];
    this.render();
    this.options.onChange(this.values);
  }

  private commit(fromText: boolean): void {
    const checked = [...this.list.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((box) => box.value);
    this.selected = unique([...checked, ...splitCommaList(this.other.value)]);
    // A toggled checkbox stays as it is and keeps the focus; typed values may tick listed ones.
    if (fromText) this.render();
    else this.renderSelection();
    this.options.onChange(this.values);
  }

  private render(): void {
    const selected = new Set(this.selected);
    replaceChildren(
      this.list,
      this.choices.length === 0
        ? h('p', { className: 'hint' }, 'No values found for this range; type them below.')
        : this.choices.map((choice) =>
            h(
              'label',
              { className: 'multi-option' },
              h('input', { type: 'checkbox', value: choice.value, checked: selected.has(choice.value), onchange: () => this.commit(false) }),
              h('span', null, choice.value),
              choice.hint ? h('span', { className: 'hint' }, choice.hint) : null,
            ),
          ),
    );
    this.renderSelection();
  }

  private renderSelection(): void {
    const known = new Set(this.choices.map((c) => c.value));
    this.other.value = this.selected.filter((v) => !known.has(v)).join(', ');
    this.summaryValue.textContent = this.selected.length === 0 ? this.options.allLabel : summarize(this.selected);
    this.details.classList.toggle('active', this.selected.length > 0);
  }
}

function summarize(values: readonly string[]): string {
  return values.length <= 2 ? values.join(', ') : `${values[0]}, ${values[1]} +${values.length - 2}`;
}

/** "a, b,,c " → ["a", "b", "c"]: trimmed, empty entries dropped, duplicates once. */
export function splitCommaList(text: string): string[] {
  return unique(
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
