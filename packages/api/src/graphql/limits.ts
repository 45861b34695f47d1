import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { tooComplexError } from './errors.ts';

/** Limits on one GraphQL operation: what a single request may make the server do. */
export interface QueryLimits {
  /** Deepest field nesting (introspection subtrees have their own limit). */
  readonly maxDepth: number;
  /** Deepest nesting, counted from the root, of introspection fields (graphql-js's getIntrospectionQuery() needs 15). */
  readonly maxIntrospectionDepth: number;
  /** Aliased fields per operation, counting each use of a fragment. */
  readonly maxAliases: number;
  /** graphql-query-complexity budget: fields count 1, metric queries more (see the resolvers). */
  readonly maxComplexity: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 10, maxIntrospectionDepth: 15, maxAliases: 20, maxComplexity: 1000 };

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

function fragmentsOf(context: ValidationContext): Fragments {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  }
  return map;
}

/**
 * Depth of a selection set: a field adds one level, fragments and inline fragments add none.
 * `visiting` guards against fragment cycles (reported by graphql-js's own NoFragmentCycles rule).
 */
function depthOf(set: SelectionSetNode, fragments: Fragments, visiting: Set<string>, introspection: { deepest: number }, inIntrospection: boolean, level: number): number {
  let deepest = level;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const enters = inIntrospection || sel.name.value === '__schema' || sel.name.value === '__type';
      if (!sel.selectionSet) {
        if (enters) introspection.deepest = Math.max(introspection.deepest, level + 1);
        else deepest = Math.max(deepest, level + 1);
        continue;
      }
      const d = depthOf(sel.selectionSet, fragments, visiting, introspection, enters, level + 1);
      if (enters) introspection.deepest = Math.max(introspection.deepest, d);
      else deepest = Math.max(deepest, d);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(sel.selectionSet, fragments, visiting, introspection, inIntrospection, level));
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      if (!frag || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, depthOf(frag.selectionSet, fragments, visiting, introspection, inIntrospection, level));
      visiting.delete(name);
    }
  }
  return deepest;
}

/**
 * Refuses operations nested deeper than `maxDepth` fields (`maxIntrospectionDepth` inside
 * introspection), counted through fragments.
 *
 * @example
 * new ApolloServer({ schema, validationRules: [maxDepthRule(10, 15)] })
 */
export function maxDepthRule(maxDepth: number, maxIntrospectionDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    return {
      OperationDefinition(node) {
        const introspection = { deepest: 0 };
        const depth = depthOf(node.selectionSet, fragments, new Set(), introspection, false, 0);
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`operation depth ${depth} exceeds the maximum ${maxDepth}`, { nodes: [node] }));
        }
        if (introspection.deepest > maxIntrospectionDepth) {
          context.reportError(
            new GraphQLError(`introspection depth ${introspection.deepest} exceeds the maximum ${maxIntrospectionDepth}`, { nodes: [node] }),
          );
        }
      },
    };
  };
}

/** Aliased fields in a selection set, each fragment counted as often as it is spread. */
function aliasesOf(set: SelectionSetNode, fragments: Fragments, memo: Map<string, number>, visiting: Set<string>): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.alias) n++;
      if (sel.selectionSet) n += aliasesOf(sel.selectionSet, fragments, memo, visiting);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      n += aliasesOf(sel.selectionSet, fragments, memo, visiting);
    } else {
      const name = sel.name.value;
      const known = memo.get(name);
      if (known !== undefined) {
        n += known;
        continue;
      }
      const frag = fragments.get(name);
      if (!frag || visiting.has(name)) continue;
      visiting.add(name);
      const count = aliasesOf(frag.selectionSet, fragments, memo, visiting);
      visiting.delete(name);
      memo.set(name, count);
      n += count;
    }
  }
  return n;
}

/**
 * Refuses operations with more than `maxAliases` aliased fields: aliases are how one request
 * asks for the same expensive field many times.
 */
export function maxAliasesRule(maxAliases: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context);
    const memo = new Map<string, number>();
    return {
      OperationDefinition(node) {
        const count = aliasesOf(node.selectionSet, fragments, memo, new Set());
        if (count > maxAliases) {
          context.reportError(new GraphQLError(`operation uses ${count} aliases; the maximum is ${maxAliases}`, { nodes: [node] }));
        }
      },
    };
  };
}

/**
 * Rejects an operation whose estimated cost exceeds `maxComplexity` before it runs, the
 * type-graphql way: `@Field({ complexity })` values via fieldExtensionsEstimator, 1 per other field.
 */
export function complexityPlugin(schema: GraphQLSchema, maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName ?? undefined,
              query: document,
              variables: request.variables ?? {},
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch {
            // The estimator coerces the variables itself and throws on invalid ones. Such an
            // operation cannot run: execution refuses it with Apollo's BAD_USER_INPUT, which names the
            // variable and the rule, before any resolver is called.
            return;
          }
          if (complexity > maxComplexity) throw tooComplexError(complexity, maxComplexity);
        },
      };
    },
  };
}
