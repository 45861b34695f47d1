import type { SqlPool } from '../storage/duck.ts';

/** Answers kept per engine (keyed by its pool): the most recently used ones, up to this many. */
const MAX_ENTRIES = 256;

const caches = new WeakMap<SqlPool, Map<string, { version: number; generation: number; value: Promise<unknown> }>>();

/** Bumped by forgetAllCachedAnswers: entries of an older generation are misses. */
let generation = 0;

/**
 * Memoizes an APPROXIMATE answer under the aggregate version it was computed from. Every batch bumps
 * the version (in the loader's transaction), so an answer is reused only while no event has landed
 * since: dashboards refreshing the same panels pay one round trip. Callers get their own copy.
 *
 * Latency goals are about the first answer (a cold cache): the query functions are built to meet
 * them without this memo (AGGREGATES.md, "Queries and caching").
 */
export async function cached<T>(pool: SqlPool, version: number, key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
  let cache = caches.get(pool);
  if (!cache) {
    cache = new Map();
    caches.set(pool, cache);
  }
  const k = JSON.stringify(key);
  const hit = cache.get(k);
  if (hit && hit.version === version && hit.generation === generation) {
    cache.delete(k);
    cache.set(k, hit);
    return structuredClone((await hit.value) as T);
  }
  const value = compute();
  const entry = { version, generation, value };
  cache.delete(k);
  cache.set(k, entry);
  value.catch(() => {
    if (cache.get(k) === entry) cache.delete(k);
  });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return structuredClone(await value);
}

/** Drops every memoized answer of an engine (tests that compare answers before and after a change). */
export function forgetCachedAnswers(pool: SqlPool): void {
  caches.delete(pool);
}

/**
 * Drops the memoized answers of every engine in this process: the next query of each computes its
 * answer (the benchmark's cold timings, which hold no handle on the engine's pool).
 */
export function forgetAllCachedAnswers(): void {
  generation++;
}
