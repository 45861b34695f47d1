import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVER_ENV, SERVER_EXEC_ARGV } from './http-ingest.ts';

describe('the HTTP stage runs the server as `npm start` does', () => {
  it('with the start script’s environment and no V8 flags', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
    const start = pkg.scripts.start!;
    const assignments = Object.fromEntries([...start.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    expect(assignments).toEqual(SERVER_ENV);
    expect(start).toMatch(/\btsx packages\/api\/src\/main\.ts$/);
    // tsx without flags: the child only needs tsx's loader.
    expect(SERVER_EXEC_ARGV).toEqual(['--import', 'tsx']);
  });
});
