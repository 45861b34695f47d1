import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLDateTime, GraphQLJSONObject, GraphQLSafeInt } from 'graphql-scalars';
import { dayOf, parseDay, type Day } from '@telemetry/schema';

function parseDayValue(value: unknown): Day {
  if (typeof value !== 'string') throw new GraphQLError(`Date must be a string written YYYY-MM-DD; got ${typeof value}`);
  const day = parseDay(value);
  if (day === null) throw new GraphQLError(`Date must be a real calendar day written YYYY-MM-DD; got ${JSON.stringify(value.slice(0, 40))}`);
  return day;
}

/** `Date` of api.graphql: a UTC calendar day written YYYY-MM-DD, checked to be a real day. */
export const DateScalar = new GraphQLScalarType<Day, string>({
  name: 'Date',
  description: 'A UTC calendar day, written YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date) return dayOf(value.getTime());
    return parseDayValue(value);
  },
  parseValue: parseDayValue,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Date must be a string written YYYY-MM-DD', { nodes: ast });
    return parseDayValue(ast.value);
  },
});

/** `DateTime` (RFC 3339), `SafeInt` (integers up to 2^53 - 1) and `JSONObject`, from graphql-scalars. */
export const DateTimeScalar = GraphQLDateTime;
export const SafeIntScalar = GraphQLSafeInt;
export const JSONObjectScalar = GraphQLJSONObject;
