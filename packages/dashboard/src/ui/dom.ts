export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Listener = (event: Event) => void;
export type Props = Record<string, string | number | boolean | null | undefined | Listener>;

/**
 * Creates an element. `onclick`-style keys with a function add listeners; `aria-*`, `data-*`, `role`,
 * `for`, `list` and unknown keys become attributes; known properties (`value`, `checked`, `className`, …) are set
 * as properties. `false`, `null` and `undefined` values and children are skipped.
 *
 * @example
 * h('button', { type: 'button', 'aria-pressed': 'true', onclick: () => save() }, 'Save Settings')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props) setProps(element, props);
  append(element, children);
  return element;
}

/** Keys that must be attributes: read-only properties (`list`, `form`), enumerated ones (`spellcheck`: 'false'), or names the property spells differently. */
const ATTRIBUTE_ONLY: ReadonlySet<string> = new Set(['role', 'for', 'list', 'form', 'spellcheck']);

export function setProps(element: HTMLElement, props: Props): void {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(key.replace(/^on/, ''), value);
    } else if (key.startsWith('aria-') || key.startsWith('data-') || ATTRIBUTE_ONLY.has(key) || !(key in element)) {
      element.setAttribute(key, value === true ? '' : String(value));
    } else {
      (element as unknown as Record<string, unknown>)[key] = value;
    }
  }
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
