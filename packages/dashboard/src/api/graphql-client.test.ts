import { describe, expect, it, vi } from 'vitest';
import { ApiError, describeError, UnauthenticatedError } from './api-error.ts';
import { GraphQLClient } from './graphql-client.ts';

function clientAnswering(status: number, body: unknown, token: string | null = 'tok') {
  const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  const onUnauthenticated = vi.fn();
  const client = new GraphQLClient({ getToken: () => token, onUnauthenticated, fetch: fetch as unknown as typeof globalThis.fetch });
  return { client, fetch, onUnauthenticated };
}

describe('GraphQLClient', () => {
  it('POSTs the query and variables with the bearer token and returns data', async () => {
    const { client, fetch } = clientAnswering(200, { data: { settings: { enabled: true } } });
    await expect(client.request('{ settings { enabled } }', { a: 1 })).resolves.toEqual({ settings: { enabled: true } });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/graphql');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer tok');
    expect(JSON.parse(String(init?.body))).toEqual({ query: '{ settings { enabled } }', variables: { a: 1 } });
  });

  it('signs out on HTTP 401 and on UNAUTHENTICATED', async () => {
    for (const [status, body] of [
      [401, { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }],
      [200, { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }],
    ] as const) {
      const { client, onUnauthenticated } = clientAnswering(status, body);
      await expect(client.request('{ settings { enabled } }')).rejects.toBeInstanceOf(UnauthenticatedError);
      expect(onUnauthenticated).toHaveBeenCalledOnce();
    }
  });

  it('does not send a request without a token', async () => {
    const { client, fetch, onUnauthenticated } = clientAnswering(200, {}, null);
    await expect(client.request('{ settings { enabled } }')).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(fetch).not.toHaveBeenCalled();
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('rejects with the server’s code and field, and says FORBIDDEN in words', async () => {
    const { client } = clientAnswering(200, { data: null, errors: [{ message: 'mutations need the admin token', extensions: { code: 'FORBIDDEN' } }] });
    const error = await client.request('mutation { runRetention { asOf } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 200 });
    expect(describeError(error, 'change settings')).toBe('Your token may view data but not change settings (FORBIDDEN). Sign in with an admin token to change settings.');

    const bad = clientAnswering(400, { errors: [{ message: 'storageDurationDays must be …', extensions: { code: 'BAD_USER_INPUT', field: 'storageDurationDays' } }] });
    await expect(bad.client.request('mutation { x }')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'storageDurationDays', status: 400 });
  });

  it('recognizes a field the server does not have', async () => {
    const { client } = clientAnswering(400, { errors: [{ message: 'Cannot query field "storageEstimate" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const error = (await client.request('{ storageEstimate { x } }').catch((e: unknown) => e)) as ApiError;
    expect(error.isUnsupported).toBe(true);
  });

  it('turns a network failure into NETWORK', async () => {
    const client = new GraphQLClient({
      getToken: () => 'tok',
      onUnauthenticated: () => {},
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    await expect(client.request('{ settings { enabled } }')).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
