import { describe, expect, it } from 'vitest';
import { bearerToken, TokenVerifier } from './tokens.ts';

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ admin: 'admin-token', viewer: 'viewer-token', ingest: ['ingest-1', 'ingest-2'] });

  it('resolves each token to its role and nothing else', () => {
    expect(verifier.roleOf('admin-token')).toBe('admin');
    expect(verifier.roleOf('viewer-token')).toBe('viewer');
    expect(verifier.roleOf('ingest-2')).toBe('ingest');
    for (const t of [null, '', 'admin-token ', 'admin-toke', 'Admin-token', 'x'.repeat(10_000)]) expect(verifier.roleOf(t)).toBe(null);
  });

  it('refuses shared or empty tokens', () => {
    expect(() => new TokenVerifier({ admin: 'same', viewer: 'same', ingest: ['k'] })).toThrow(/must all differ/);
    expect(() => new TokenVerifier({ admin: 'a', viewer: 'v', ingest: [] })).toThrow(/ingest key/);
    expect(() => new TokenVerifier({ admin: '', viewer: 'v', ingest: ['k'] })).toThrow(/non-empty/);
  });

  it('reads Bearer headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBe(null);
    expect(bearerToken('Bearer a b')).toBe(null);
    expect(bearerToken(undefined)).toBe(null);
  });
});
