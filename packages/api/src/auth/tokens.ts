import { createHash, timingSafeEqual } from 'node:crypto';

/** Who a bearer token belongs to. */
export type TokenRole = 'admin' | 'viewer' | 'ingest';

/** The secrets the API accepts: one admin token, one viewer token, any number of ingest keys. */
export interface ApiTokens {
  readonly admin: string;
  readonly viewer: string;
  readonly ingest: readonly string[];
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Resolves a presented token to its role in constant time: both sides are hashed to 32 bytes
 * (so lengths do not leak) and every known token is compared, whichever matches.
 */
export class TokenVerifier {
  private readonly known: ReadonlyArray<{ readonly digest: Buffer; readonly role: TokenRole }>;

  constructor(tokens: ApiTokens) {
    assertUsableTokens(tokens);
    this.known = [
      { digest: digest(tokens.admin), role: 'admin' },
      { digest: digest(tokens.viewer), role: 'viewer' },
      ...tokens.ingest.map((key) => ({ digest: digest(key), role: 'ingest' as const })),
    ];
  }

  /** The role of `token`, or null when it is absent or unknown. */
  roleOf(token: string | null): TokenRole | null {
    if (token === null || token.length === 0) return null;
    const presented = digest(token);
    let role: TokenRole | null = null;
    for (const k of this.known) {
      if (timingSafeEqual(presented, k.digest)) role = k.role;
    }
    return role;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : null;
}

/** Refuses empty or shared tokens: a token must name exactly one role. */
export function assertUsableTokens(tokens: ApiTokens): void {
  const all = [tokens.admin, tokens.viewer, ...tokens.ingest];
  for (const t of all) {
    if (typeof t !== 'string' || t.trim().length === 0 || /\s/.test(t)) {
      throw new Error('every API token must be a non-empty string without whitespace');
    }
  }
  if (tokens.ingest.length === 0) throw new Error('at least one ingest key is required');
  if (new Set(all).size !== all.length) throw new Error('the admin token, the viewer token and the ingest keys must all differ');
}
