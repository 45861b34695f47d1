import type { GraphQLClient } from './api/graphql-client.ts';
import type { Session } from './api/session.ts';

/** What every view is given. */
export interface AppContext {
  readonly client: GraphQLClient;
  readonly session: Session;
  /** Says a short message to screen-reader users (a polite live region). */
  announce(message: string): void;
  /** Goes to a hash route, e.g. `#/settings/telemetry`. */
  navigate(hash: string): void;
}

/** A page: mounted into <main>, destroyed when the route leaves it. */
export interface View {
  readonly element: HTMLElement;
  /** The page title (document.title and the heading focus goes to). */
  readonly title: string;
  /** Called instead of re-creating the view when only the route's parameters changed. */
  update?(params: URLSearchParams): void;
  destroy(): void;
}
