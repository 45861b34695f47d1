import { describe, expect, it } from 'vitest';
import { parseRoute } from './router.ts';

describe('hash routes', () => {
  it('names the page and keeps its parameters', () => {
    expect(parseRoute('#/settings/telemetry').name).toBe('settings-telemetry');
    expect(parseRoute('#/settings/').name).toBe('settings-telemetry');
    const route = parseRoute('#/dashboard?from=2026-11-01&os=linux');
    expect(route.name).toBe('dashboard');
    expect(route.params.get('os')).toBe('linux');
    expect(parseRoute('').name).toBe('dashboard');
    expect(parseRoute('#/nowhere').name).toBe('dashboard');
  });
});
