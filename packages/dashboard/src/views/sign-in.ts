import { describeError, UnauthenticatedError } from '../api/api-error.ts';
import { GraphQLClient } from '../api/graphql-client.ts';
import { SETTINGS_QUERY, type SettingsResult } from '../api/operations.ts';
import type { View } from '../app-context.ts';
import { h, replaceChildren } from '../ui/dom.ts';

export interface SignInOptions {
  /** Why the user is here (e.g. the server rejected the token), shown above the form. */
  readonly notice: string | null;
  readonly onSignedIn: (token: string) => void;
}

/**
 * Asks for the access token and checks it with one read-only query before keeping it, so a typo is
 * caught here rather than as a wall of failed panels.
 */
export function signInView(options: SignInOptions): View {
  const message = h('div', { className: 'form-message', 'aria-live': 'assertive' });
  const input = h('input', {
    id: 'access-token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'access-token-help',
  });
  const submit = h('button', { type: 'submit', className: 'button primary' }, 'Sign in');

  function showProblem(text: string): void {
    replaceChildren(message, h('p', { className: 'error-box', role: 'alert' }, text));
  }

  const form = h(
    'form',
    { className: 'sign-in-form', novalidate: true },
    h('label', { for: 'access-token' }, 'Access token'),
    input,
    h(
      'p',
      { id: 'access-token-help', className: 'hint' },
      'An admin token can change settings and create exports; a viewer token can read the dashboards. The token stays in this browser tab only and is forgotten when the tab closes.',
    ),
    message,
    submit,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      showProblem('Enter the access token of this telemetry server.');
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Checking…';
    replaceChildren(message, h('p', { role: 'status' }, 'Checking the token…'));
    const probe = new GraphQLClient({ getToken: () => token, onUnauthenticated: () => {} });
    try {
      await probe.request<SettingsResult>(SETTINGS_QUERY);
      options.onSignedIn(token);
    } catch (error) {
      showProblem(
        error instanceof UnauthenticatedError
          ? 'The server did not accept this token (401 Unauthorized). Check that you copied the whole admin or viewer token.'
          : describeError(error),
      );
      submit.disabled = false;
      submit.textContent = 'Sign in';
      input.focus();
      input.select();
    }
  });

  const element = h(
    'div',
    { className: 'sign-in' },
    h(
      'div',
      { className: 'sign-in-card' },
      h('h1', { tabindex: -1 }, 'Sign in to Telemetry'),
      h('p', null, 'Product telemetry for your deployed software: usage, adoption, performance and stability.'),
      options.notice ? h('p', { className: 'notice-box', role: 'alert' }, options.notice) : null,
      form,
    ),
  );
  queueMicrotask(() => input.focus());
  return { element, title: 'Sign in', destroy() {} };
}
