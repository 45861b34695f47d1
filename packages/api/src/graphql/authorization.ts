import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from './context.ts';
import { forbiddenError } from './errors.ts';

/**
 * The viewer token may run queries, not mutations (ingest.md, "Other HTTP"). Checked once the
 * operation is known and before any field executes, so a refused mutation changes nothing:
 * HTTP 403 with `extensions.code = "FORBIDDEN"`. Also records the operation name for the log.
 */
export function authorizationPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName, contextValue }) {
          contextValue.log.operation = operationName ?? null;
          const kind = operation?.operation ?? 'query';
          if (kind !== 'query' && contextValue.role !== 'admin') throw forbiddenError(kind);
        },
      };
    },
  };
}
