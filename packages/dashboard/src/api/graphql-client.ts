import { ApiError, UnauthenticatedError, type GraphQLErrorBody } from './api-error.ts';

export interface GraphQLClientOptions {
  /** Where to POST; `/graphql` on the serving origin. */
  readonly endpoint?: string;
  readonly getToken: () => string | null;
  /** Called once per rejected token, before the request's promise rejects. */
  readonly onUnauthenticated: (error: UnauthenticatedError) => void;
  readonly fetch?: typeof fetch;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/**
 * Talks to the telemetry API: POST {query, variables} with `Authorization: Bearer <token>`.
 * Any error in the answer rejects with an ApiError; a 401 or `UNAUTHENTICATED` also signs the user out.
 *
 * @example
 * const { settings } = await client.request<{ settings: TelemetrySettings }>('{ settings { enabled } }');
 */
export class GraphQLClient {
  private readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: GraphQLClientOptions) {
    this.endpoint = options.endpoint ?? '/graphql';
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async request<T>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const response = await this.send(this.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal,
    });
    let body: GraphQLResponse<T>;
    try {
      body = (await response.json()) as GraphQLResponse<T>;
    } catch {
      throw new ApiError(`HTTP_${response.status}`, `The server answered ${response.status} without a GraphQL body.`, response.status);
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? `HTTP_${response.status}`;
      if (code === 'UNAUTHENTICATED') throw this.unauthenticated();
      throw new ApiError(code, first.message, response.status, first.extensions?.field);
    }
    if (!response.ok || body.data == null) {
      throw new ApiError(`HTTP_${response.status}`, `The server answered ${response.status} without data.`, response.status);
    }
    return body.data;
  }

  /** GETs a file the API serves (an export) with the token, as a Blob. */
  async download(url: string, signal?: AbortSignal): Promise<Blob> {
    const response = await this.send(url, { method: 'GET', signal });
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new ApiError(`HTTP_${response.status}`, `Download failed (${response.status}) ${text.slice(0, 200)}`.trim(), response.status);
    }
    return response.blob();
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const token = this.options.getToken();
    if (!token) throw this.unauthenticated('Sign in with an access token to continue.');
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { ...init, headers });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError('NETWORK', 'Cannot reach the telemetry server.', 0);
    }
    if (response.status === 401) throw this.unauthenticated();
    return response;
  }

  private unauthenticated(message?: string): UnauthenticatedError {
    const error = new UnauthenticatedError(message);
    this.options.onUnauthenticated(error);
    return error;
  }
}
