import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maxAliasesRule, maxDepthRule } from './limits.ts';

// A recursive schema, so depth is not bounded by the types (the telemetry schema is shallow).
const schema = buildSchema(`type Node { id: ID  child: Node }  type Query { node: Node }`);
const errors = (query: string, rules = [maxDepthRule(3, 15), maxAliasesRule(2)]) => validate(schema, parse(query), rules).map((e) => e.message);
const aliasErrors = (query: string) => errors(query, [maxDepthRule(10, 15), maxAliasesRule(2)]);

describe('maxDepthRule', () => {
  it('counts field nesting through fragments and inline fragments', () => {
    expect(errors('{ node { child { id } } }')).toEqual([]);
    expect(errors('{ node { child { child { id } } } }')).toEqual(['operation depth 4 exceeds the maximum 3']);
    expect(errors('{ node { ...F } } fragment F on Node { child { ... on Node { child { id } } } }')).toEqual([
      'operation depth 4 exceeds the maximum 3',
    ]);
  });

  it('gives introspection its own limit, enough for the standard introspection query', () => {
    expect(validate(schema, parse(getIntrospectionQuery()), [maxDepthRule(3, 15)])).toEqual([]);
    const deep = '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } } } } } }';
    expect(errors(deep)).toEqual(['introspection depth 16 exceeds the maximum 15']);
  });

  it('survives fragment cycles (reported by graphql-js itself)', () => {
    const query = parse('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }');
    const messages = validate(schema, query, [...specifiedRules, maxDepthRule(3, 15), maxAliasesRule(2)]).map((e) => e.message);
    expect(messages.some((m) => /Cannot spread fragment/.test(m))).toBe(true);
  });
});

describe('maxAliasesRule', () => {
  it('counts aliases, each fragment as often as it is spread', () => {
    expect(aliasErrors('{ a: node { id } b: node { id } }')).toEqual([]);
    expect(aliasErrors('{ a: node { id } b: node { id } c: node { id } }')).toEqual(['operation uses 3 aliases; the maximum is 2']);
    expect(aliasErrors('{ node { ...F child { ...F } } } fragment F on Node { x: id }')).toEqual([]);
    expect(aliasErrors('{ node { ...F child { ...F child { ...F } } } } fragment F on Node { x: id }')).toEqual([
      'operation uses 3 aliases; the maximum is 2',
    ]);
  });
});
