import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  printSchema,
  type GraphQLArgument,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { telemetrySchema } from '@telemetry/api';

/** The contract as implemented (a copy of ../shared/spec/api.graphql beside the checkout; see the drift check below). */
const CONTRACT_FILE = fileURLToPath(new URL('./fixtures/api.graphql', import.meta.url));
const SHARED_CONTRACT = fileURLToPath(new URL('../../shared/spec/api.graphql', import.meta.url));

const defaultOf = (a: GraphQLArgument | { defaultValue?: unknown }): string => JSON.stringify(a.defaultValue ?? null);

describe('the executable schema keeps the api.graphql contract', () => {
  const contract = buildSchema(readFileSync(CONTRACT_FILE, 'utf8'));

  it.skipIf(!existsSync(SHARED_CONTRACT))('uses the current contract', () => {
    expect(readFileSync(CONTRACT_FILE, 'utf8')).toBe(readFileSync(SHARED_CONTRACT, 'utf8'));
  });

  it('has every type, field, argument, default and enum value of the contract, with the same types', async () => {
    const schema = await telemetrySchema();
    const problems: string[] = [];
    for (const type of Object.values(contract.getTypeMap()) as GraphQLNamedType[]) {
      if (type.name.startsWith('__')) continue;
      const ours = schema.getType(type.name);
      if (!ours) {
        problems.push(`missing type ${type.name}`);
        continue;
      }
      if (ours.constructor.name !== type.constructor.name) problems.push(`${type.name}: ${ours.constructor.name}, contract ${type.constructor.name}`);
      if (isEnumType(type) && isEnumType(ours)) {
        const have = ours.getValues().map((v) => v.name).sort();
        expect(have, type.name).toEqual(type.getValues().map((v) => v.name).sort());
      }
      if ((isObjectType(type) && isObjectType(ours)) || (isInputObjectType(type) && isInputObjectType(ours))) {
        const fields = ours.getFields() as Record<string, { type: unknown; args?: readonly GraphQLArgument[]; defaultValue?: unknown }>;
        for (const [name, field] of Object.entries(type.getFields()) as Array<[string, { type: unknown; args?: readonly GraphQLArgument[]; defaultValue?: unknown }]>) {
          const mine = fields[name];
          if (!mine) {
            problems.push(`missing field ${type.name}.${name}`);
            continue;
          }
          if (String(mine.type) !== String(field.type)) problems.push(`${type.name}.${name}: ${String(mine.type)}, contract ${String(field.type)}`);
          for (const arg of field.args ?? []) {
            const a = mine.args?.find((x) => x.name === arg.name);
            if (!a) problems.push(`missing argument ${type.name}.${name}(${arg.name})`);
            else {
              if (String(a.type) !== String(arg.type)) problems.push(`${type.name}.${name}(${arg.name}): ${String(a.type)}, contract ${String(arg.type)}`);
              if (defaultOf(a) !== defaultOf(arg)) problems.push(`${type.name}.${name}(${arg.name}) default ${defaultOf(a)}, contract ${defaultOf(arg)}`);
            }
          }
          // Added arguments must not make an existing call invalid.
          for (const a of mine.args ?? []) {
            if (!field.args?.some((x) => x.name === a.name) && String(a.type).endsWith('!') && a.defaultValue === undefined) {
              problems.push(`added required argument ${type.name}.${name}(${a.name})`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('uses the contract scalars: Date validated, DateTime and SafeInt from graphql-scalars', async () => {
    const schema = await telemetrySchema();
    const date = schema.getType('Date');
    expect(isScalarType(date)).toBe(true);
    if (!isScalarType(date)) return;
    expect(date.parseValue('2024-02-29')).toBe('2024-02-29');
    expect(() => date.parseValue('2023-02-29')).toThrow(/real calendar day/);
    expect(() => date.parseValue('2024-2-1')).toThrow();
    expect(() => date.parseValue(20240201)).toThrow();
    const safeInt = schema.getType('SafeInt');
    expect(isScalarType(safeInt) && safeInt.serialize(2 ** 53 - 1)).toBe(2 ** 53 - 1);
    expect(printSchema(schema)).toContain('scalar DateTime');
  });
});
