import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { clientMessage, isCodedError, mappingOf } from '../errors/error-map.ts';
import { describeError, type Logger } from '../log/logger.ts';

/**
 * GraphQL errors: the single place where errors become what a client reads. Engine errors
 * (TelemetryError and its `code`) are mapped through errors/error-map.ts; errors raised by
 * graphql-js and Apollo (parse, validation, variable coercion) keep their code and message;
 * anything else is a bug or a failure of ours and becomes INTERNAL_SERVER_ERROR with a generic
 * message, logged in full server-side. No stack trace is ever sent.
 */

export const GENERIC_GRAPHQL_MESSAGE = 'Internal server error';

/** Extensions a client may see besides `code`. */
const SAFE_EXTENSIONS = ['field', 'expiredDays', 'retryAfterSeconds', 'complexity', 'maxComplexity'] as const;

const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof GraphQLError || (e instanceof Error && e.name === 'GraphQLError');

/** The error a resolver threw, under the GraphQLError(s) that wrap it; null for a deliberate GraphQLError. */
function thrownErrorOf(error: unknown): unknown {
  let e = error;
  while (isGraphQLError(e) && e.originalError) e = e.originalError;
  return isGraphQLError(e) ? null : e;
}

/**
 * Apollo's `formatError`.
 *
 * @example
 * new ApolloServer({ schema, formatError: createFormatError(logger), includeStacktraceInErrorResponses: false })
 */
export function createFormatError(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    const thrown = thrownErrorOf(error);
    if (isCodedError(thrown)) {
      const m = mappingOf(thrown);
      if (!m.exposeMessage) logger.error('graphql operation failed', { path: formatted.path?.join('.'), ...describeError(thrown) });
      const extensions: Record<string, unknown> = { code: m.graphqlCode };
      if (thrown.field !== undefined) extensions.field = thrown.field;
      if (thrown.expiredDays !== undefined) extensions.expiredDays = thrown.expiredDays;
      if (m.retryable && thrown.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = thrown.retryAfterSeconds;
      return { message: clientMessage(thrown), ...where, extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR') {
      logger.error('graphql operation failed', { path: formatted.path?.join('.'), ...describeError(thrown ?? error) });
      return { message: GENERIC_GRAPHQL_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    const extensions: Record<string, unknown> = { code };
    for (const key of SAFE_EXTENSIONS) {
      if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
    }
    return { message: formatted.message, ...where, extensions };
  };
}

/** The 401 answer of /graphql when the token is missing or not a GraphQL token (ingest.md). */
export function unauthenticatedBody(): { errors: GraphQLFormattedError[] } {
  return {
    errors: [{ message: 'a valid admin or viewer token is required: Authorization: Bearer <token>', extensions: { code: 'UNAUTHENTICATED' } }],
  };
}

/** A viewer ran a mutation: refused before anything executes, HTTP 403. */
export function forbiddenError(operation: string): GraphQLError {
  return new GraphQLError(`the viewer token may run queries only; ${operation} operations need the admin token`, {
    extensions: { code: 'FORBIDDEN', http: { status: 403, headers: new HeaderMap() } },
  });
}

/** An operation over the complexity budget (graphql/limits.ts). */
export function tooComplexError(complexity: number, maxComplexity: number): GraphQLError {
  return new GraphQLError(`query complexity ${complexity} exceeds the maximum ${maxComplexity}; ask for fewer fields, aliases or EXACT queries`, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity, http: { status: 400, headers: new HeaderMap() } },
  });
}
