export type RouteName = 'dashboard' | 'settings-telemetry';

export interface Route {
  readonly name: RouteName;
  readonly params: URLSearchParams;
}

export const ROUTE_HASH: Readonly<Record<RouteName, string>> = {
  dashboard: '#/dashboard',
  'settings-telemetry': '#/settings/telemetry',
};

/** `#/settings/telemetry` → settings; `#/dashboard?from=…` and anything else → the dashboard. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const path = (q < 0 ? text : text.slice(0, q)).replace(/\/+$/, '');
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  if (path === '/settings/telemetry' || path === '/settings') return { name: 'settings-telemetry', params };
  return { name: 'dashboard', params };
}
