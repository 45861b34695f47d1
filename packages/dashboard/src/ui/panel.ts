import { describeError, isAbort } from '../api/api-error.ts';
import { h, replaceChildren, type Child } from './dom.ts';

export type PanelState = 'loading' | 'ready' | 'empty' | 'error';

export interface PanelOptions {
  readonly id: string;
  readonly title: string;
  /** One line under the title: what the panel answers. */
  readonly description?: string;
  /** Controls shown beside the title (selects that change only this panel). */
  readonly controls?: Child;
  /** Spans both columns of the dashboard grid. */
  readonly wide?: boolean;
}

/**
 * A titled card with the four states every data view has. `data-state` on the section says which
 * one is showing (tests wait for `ready`); the body is `aria-busy` while loading, and errors are
 * announced with `role="alert"`.
 */
export class Panel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private controller: AbortController | null = null;

  constructor(options: PanelOptions) {
    const titleId = `${options.id}-title`;
    this.status = h('p', { className: 'panel-status', role: 'status', 'aria-live': 'polite' });
    this.body = h('div', { className: 'panel-body' });
    this.element = h(
      'section',
      { id: options.id, className: options.wide ? 'panel panel-wide' : 'panel', 'aria-labelledby': titleId, 'data-state': 'loading' },
      h(
        'header',
        { className: 'panel-header' },
        h('div', null, h('h2', { id: titleId }, options.title), options.description ? h('p', { className: 'panel-description' }, options.description) : null),
        options.controls ? h('div', { className: 'panel-controls' }, options.controls) : null,
      ),
      this.status,
      this.body,
    );
  }

  get state(): PanelState {
    return this.element.dataset.state as PanelState;
  }

  /** Keeps what is shown (dimmed) so the layout does not jump, and says it is loading. */
  private loading(message = 'Loading…'): void {
    this.element.dataset.state = 'loading';
    this.body.setAttribute('aria-busy', 'true');
    this.status.textContent = message;
    if (!this.body.firstChild) replaceChildren(this.body, h('div', { className: 'placeholder' }));
  }

  show(...children: Child[]): void {
    this.settle('ready', '');
    replaceChildren(this.body, ...children);
  }

  empty(message: string): void {
    this.settle('empty', '');
    replaceChildren(this.body, h('p', { className: 'empty' }, message));
  }

  error(error: unknown, retry?: () => void, action?: string): void {
    this.settle('error', '');
    replaceChildren(
      this.body,
      h(
        'div',
        { className: 'error-box', role: 'alert' },
        h('p', null, describeError(error, action)),
        retry ? h('button', { type: 'button', className: 'button secondary', onclick: retry }, 'Retry') : null,
      ),
    );
  }

  /**
   * Loads and shows data: aborts the previous load of this panel, shows `loading`, then `render`s
   * the answer or the error with a Retry button. `action` names what a FORBIDDEN answer forbade.
   */
  async run<T>(task: (signal: AbortSignal) => Promise<T>, render: (data: T) => void, action?: string): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.loading();
    try {
      const data = await task(controller.signal);
      if (!controller.signal.aborted) render(data);
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) return;
      this.error(error, () => void this.run(task, render, action), action);
    }
  }

  /** Stops a load in flight; its answer is dropped. */
  dispose(): void {
    this.controller?.abort();
    this.controller = null;
  }

  private settle(state: PanelState, status: string): void {
    this.element.dataset.state = state;
    this.body.removeAttribute('aria-busy');
    this.status.textContent = status;
  }
}
