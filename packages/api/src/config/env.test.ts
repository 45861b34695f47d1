import { describe, expect, it } from 'vitest';
import { readEnvConfig } from './env.ts';

describe('readEnvConfig', () => {
  it('reads TELEMETRY_MEMORY_LIMIT as a DuckDB size, undefined when unset or blank', () => {
    expect(readEnvConfig({}).memoryLimit).toBeUndefined();
    expect(readEnvConfig({ TELEMETRY_MEMORY_LIMIT: '  ' }).memoryLimit).toBeUndefined();
    expect(readEnvConfig({ TELEMETRY_MEMORY_LIMIT: '512MB' }).memoryLimit).toBe('512MB');
    expect(readEnvConfig({ TELEMETRY_MEMORY_LIMIT: ' 1.5GB ' }).memoryLimit).toBe('1.5GB');
    expect(readEnvConfig({ TELEMETRY_MEMORY_LIMIT: '768MiB' }).memoryLimit).toBe('768MiB');
  });

  it('refuses a memory limit without a unit, naming the variable', () => {
    for (const bad of ['512', 'lots', '-1GB', '80%']) {
      expect(() => readEnvConfig({ TELEMETRY_MEMORY_LIMIT: bad }), bad).toThrow(/TELEMETRY_MEMORY_LIMIT/);
    }
  });
});
