import { h, uid } from './dom.ts';

export interface SelectOption<V extends string> {
  readonly value: V;
  readonly label: string;
}

/** A labelled <select>; `onChange` gets the chosen value. */
export function labeledSelect<V extends string>(
  label: string,
  options: readonly SelectOption<V>[],
  value: V,
  onChange: (value: V) => void,
  name?: string,
): HTMLElement {
  const id = uid('select');
  const select = h(
    'select',
    { id, name: name ?? null, onchange: () => onChange(select.value as V) },
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  return h('div', { className: 'field inline' }, h('label', { for: id }, label), select);
}

export const GRANULARITY_OPTIONS = [
  { value: 'DAY', label: 'Day' },
  { value: 'WEEK', label: 'Week' },
  { value: 'MONTH', label: 'Month' },
] as const;
