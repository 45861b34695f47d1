import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BadInputError, DataDirLockedError, OverloadedError, RawDataExpiredError } from '@telemetry/schema';
import type { Logger } from '../log/logger.ts';
import { createFormatError } from './errors.ts';

function setup() {
  const logged: Array<Record<string, unknown>> = [];
  const logger: Logger = { info() {}, warn() {}, error: (msg, f) => logged.push({ msg, ...f }) };
  return { logged, format: createFormatError(logger) };
}

/** What graphql-js makes of an error thrown in a resolver at `path`. */
const located = (err: Error) =>
  new GraphQLError(err.message, { path: ['activeUsers'], originalError: err, extensions: err instanceof GraphQLError ? err.extensions : undefined });
const formattedOf = (e: GraphQLError) => ({ message: e.message, path: e.path, extensions: { code: 'INTERNAL_SERVER_ERROR', ...e.extensions } });

describe('formatError', () => {
  it('maps engine errors by code, keeping the field and the rule', () => {
    const { format } = setup();
    const bad = located(new BadInputError('range.from', 'range.from must be on or before range.to'));
    expect(format(formattedOf(bad), bad)).toEqual({
      message: 'range.from must be on or before range.to',
      path: ['activeUsers'],
      extensions: { code: 'BAD_USER_INPUT', field: 'range.from' },
    });
    const expired = located(new RawDataExpiredError(['2024-01-01']));
    expect(format(formattedOf(expired), expired).extensions).toEqual({ code: 'RAW_DATA_EXPIRED', expiredDays: ['2024-01-01'] });
    const busy = located(new OverloadedError(3));
    expect(format(formattedOf(busy), busy).extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 3 });
  });

  it('hides unknown errors and internal messages behind a generic one, and logs them', () => {
    const { format, logged } = setup();
    const boom = located(new Error('duckdb: file /secret/path/engine.duckdb is corrupt'));
    const out = format(formattedOf(boom), boom);
    expect(out).toEqual({ message: 'Internal server error', path: ['activeUsers'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged[0]).toMatchObject({ errorMessage: 'duckdb: file /secret/path/engine.duckdb is corrupt' });
    expect(String(logged[0].stack)).toContain('errors.test.ts');
    const locked = located(new DataDirLockedError('/data', 'pid 7'));
    expect(format(formattedOf(locked), locked)).toMatchObject({ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(format(formattedOf(locked), locked))).not.toContain('/data');
  });

  it('passes framework errors through with their code, never a stack trace', () => {
    const { format, logged } = setup();
    const parse = new GraphQLError('Syntax Error: Expected Name, found <EOF>.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    const out = format({ message: parse.message, extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: ['at x'] } }, parse);
    expect(out).toEqual({ message: parse.message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(logged).toEqual([]);
  });
});
