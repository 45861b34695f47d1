import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../log/logger.ts';
import { authorizationPlugin } from './authorization.ts';
import type { ApiContext } from './context.ts';
import { createFormatError } from './errors.ts';
import { complexityPlugin, DEFAULT_QUERY_LIMITS, maxAliasesRule, maxDepthRule, type QueryLimits } from './limits.ts';

/**
 * Apollo Server with every security-relevant default set explicitly (LESSONS.md, "Apollo
 * defaults"): they otherwise depend on NODE_ENV. Introspection is on because only authenticated
 * callers reach it (authentication runs before Apollo, see server.ts).
 */
export function createApolloServer(schema: GraphQLSchema, logger: Logger, limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloServer<ApiContext> {
  return new ApolloServer<ApiContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    maxRecursiveSelections: true,
    formatError: createFormatError(logger),
    validationRules: [maxDepthRule(limits.maxDepth, limits.maxIntrospectionDepth), maxAliasesRule(limits.maxAliases)],
    plugins: [ApolloServerPluginLandingPageDisabled(), authorizationPlugin(), complexityPlugin(schema, limits.maxComplexity)],
    logger: {
      debug: () => {},
      info: (m) => logger.info(String(m)),
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });
}
