import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatGeneratedCredentials, loadOrCreateCredentials } from './credentials.ts';

describe('loadOrCreateCredentials', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'creds-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates everything once, stores it with mode 0600, and reuses it', async () => {
    const first = await loadOrCreateCredentials(dir);
    expect(first.generated).toEqual(['admin', 'viewer', 'ingest', 'hashSecret']);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(new Set([first.credentials.admin, first.credentials.viewer, first.credentials.ingest[0]]).size).toBe(3);
    const second = await loadOrCreateCredentials(dir);
    expect(second.generated).toEqual([]);
    expect(second.credentials).toEqual(first.credentials);
    const text = formatGeneratedCredentials(first);
    expect(text).toContain(first.credentials.admin);
    expect(text).not.toContain(first.credentials.hashSecret);
  });

  it('lets the environment override each value and generates only the rest', async () => {
    const loaded = await loadOrCreateCredentials(dir, { admin: 'env-admin', ingest: ['k1', 'k2'] });
    expect(loaded.credentials.admin).toBe('env-admin');
    expect(loaded.credentials.ingest).toEqual(['k1', 'k2']);
    expect(loaded.generated).toEqual(['viewer', 'hashSecret']);
    const stored = JSON.parse(await readFile(loaded.file, 'utf8'));
    expect(stored.adminToken).toBeUndefined(); // environment values are not written to disk
  });

  it('warns when an environment hash secret differs from the stored one, and tightens a loose mode', async () => {
    const first = await loadOrCreateCredentials(dir);
    await chmod(first.file, 0o644);
    const second = await loadOrCreateCredentials(dir, { hashSecret: 'other' });
    expect(second.credentials.hashSecret).toBe('other');
    expect(second.warnings.join('\n')).toMatch(/differs from the secret stored/);
    expect(second.warnings.join('\n')).toMatch(/mode 644/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite a damaged file (it may hold the only copy of the hash secret)', async () => {
    await writeFile(join(dir, 'credentials.json'), '{ not json');
    await expect(loadOrCreateCredentials(dir)).rejects.toThrow(/not valid JSON/);
    expect(await readFile(join(dir, 'credentials.json'), 'utf8')).toBe('{ not json');
  });
});
