import type { SqlPool } from '../storage/duck.ts';

/** Answers kept per engine (keyed by its pool): the most recently used ones, up to this many. */
const MAX_ENTRIES = 256;

const caches = new WeakMap<SqlPool, Map<string, { version: number; value: Promise<unknown> }>>();

/**
 * Memoizes an APPROXIMATE answer under the aggregate version it was computed from. Every batch bumps
 * the version (in the loader's transaction), so an answer is reused only while no event has landed
 * since: dashboards refreshing the same panels pay one round trip. Callers get their own copy.
 */
export async function cached<T>(pool: SqlPool, version: number, key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
  let cache = caches.get(pool);
  if (!cache) {
    cache = new Map();
    caches.set(pool, cache);
  }
  const k = JSON.stringify(key);
  const hit = cache.get(k);
  if (hit && hit.version === version) {
    cache.delete(k);
    cache.set(k, hit);
    return structuredClone((await hit.value) as T);
  }
  const value = compute();
  cache.set(k, { version, value });
  value.catch(() => cache.delete(k));
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return structuredClone(await value);
}

/** Drops every memoized answer of an engine (tests that compare answers before and after a change). */
export function forgetCachedAnswers(pool: SqlPool): void {
  caches.delete(pool);
}
