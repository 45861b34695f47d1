/** One GraphQL error as the server sends it (`errors[i]`). */
export interface GraphQLErrorBody {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string; readonly field?: string; readonly [key: string]: unknown };
}

/**
 * A request that did not give the data asked for. `code` is the server's `extensions.code`
 * (`FORBIDDEN`, `BAD_USER_INPUT`, `RAW_DATA_EXPIRED`, …) or one of ours: `NETWORK`, `HTTP_<status>`.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: string, message: string, status: number, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.field = field;
  }

  /** The query names a field or argument this server does not have (an older or newer API). */
  get isUnsupported(): boolean {
    return this.code === 'GRAPHQL_VALIDATION_FAILED' || /^Cannot query field|^Unknown argument/.test(this.message);
  }
}

/** The token is missing, wrong or revoked: the user must sign in again. */
export class UnauthenticatedError extends ApiError {
  constructor(message = 'The server did not accept the access token.') {
    super('UNAUTHENTICATED', message, 401);
    this.name = 'UnauthenticatedError';
  }
}

/** A sentence a product manager can act on, for any error a request raised. */
export function describeError(error: unknown, action = 'do this'): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'FORBIDDEN':
        return `Your token may view data but not ${action} (FORBIDDEN). Sign in with an admin token to ${action}.`;
      case 'UNAUTHENTICATED':
        return 'Your session has ended: the server rejected the access token. Sign in again.';
      case 'NETWORK':
        return 'Cannot reach the telemetry server. Check your connection, then retry.';
      case 'INTERNAL_SERVER_ERROR':
      case 'INTERNAL':
        return 'The server failed to answer (internal error). Retry; if it keeps failing, the server log says why.';
      case 'RAW_DATA_EXPIRED':
        return `Raw events for part of this range were deleted by retention. ${error.message}`;
      default:
        return error.status >= 500 ? `The server failed to answer (HTTP ${error.status}). Retry in a moment.` : error.message;
    }
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True for the rejection of a request that was aborted on purpose (a newer one replaced it). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
