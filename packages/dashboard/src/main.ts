import './styles.css';
import { GraphQLClient } from './api/graphql-client.ts';
import { Session } from './api/session.ts';
import type { AppContext, View } from './app-context.ts';
import { parseRoute, ROUTE_HASH, type RouteName } from './router.ts';
import { dashboardView } from './views/dashboard/dashboard-view.ts';
import { telemetrySettingsView } from './views/settings/telemetry-settings-view.ts';
import { signInView } from './views/sign-in.ts';

const SESSION_ENDED = 'Your session has ended: the server rejected the access token (401 Unauthorized). Sign in again to continue.';

const main = document.getElementById('main')!;
const nav = document.querySelector<HTMLElement>('.app-nav')!;
const signOutButton = document.querySelector<HTMLButtonElement>('.sign-out')!;
const announcer = document.getElementById('announcer')!;

const session = new Session();
let current: { readonly name: RouteName | 'sign-in'; readonly view: View } | null = null;
let renderQueued = false;

const client = new GraphQLClient({
  getToken: () => session.token,
  onUnauthenticated: () => {
    // Every panel in flight may fail at once: sign out once, render once.
    if (session.token) session.signOut(SESSION_ENDED);
    queueRender();
  },
});

const context: AppContext = {
  client,
  session,
  announce(message) {
    announcer.textContent = '';
    // A fresh text node after a tick, so the same message twice is still read.
    window.setTimeout(() => (announcer.textContent = message), 50);
  },
  navigate(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },
};

function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render();
  });
}

function mount(name: RouteName | 'sign-in', view: View): void {
  current?.view.destroy();
  current = { name, view };
  main.replaceChildren(view.element);
  document.title = `${view.title} · Telemetry`;
  view.element.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
}

function render(): void {
  const route = parseRoute(location.hash);
  const signedIn = session.token !== null;
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  if (!signedIn) {
    if (current?.name !== 'sign-in') {
      mount('sign-in', signInView({ notice: session.takeNotice(), onSignedIn: (token) => (session.signIn(token), render()) }));
    }
    return;
  }
  for (const link of nav.querySelectorAll<HTMLAnchorElement>('a[data-route]')) {
    if (link.dataset.route === route.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (current?.name === route.name && current.view.update) {
    current.view.update(route.params);
    return;
  }
  mount(route.name, route.name === 'settings-telemetry' ? telemetrySettingsView(context) : dashboardView(context, route.params));
}

signOutButton.addEventListener('click', () => {
  session.signOut();
  location.hash = ROUTE_HASH.dashboard;
  render();
});
window.addEventListener('hashchange', render);
render();
