/**
 * The keys of bench.md's JSON (every one must be present and numeric after a full, healthy run),
 * and the stage that produces each, so a failed stage can say which keys it leaves out.
 */
export const BENCH_KEYS = [
  'events',
  'ingest.library.eventsPerSec',
  'ingest.http.eventsPerSec',
  'ingest.baseline.duckdbCopyEventsPerSec',
  'ingest.library.ratioToBaseline',
  'query.approx.p95Ms',
  'query.exact.p95Ms',
  'query.speedup',
  'retention.msPerDay',
  'storage.bytesPerEvent',
  'storage.aggregateBytesPerEvent',
  'memory.peakRssMb',
  'accuracy.maxDistinctErrorPct',
  'accuracy.maxPercentileErrorPct',
] as const;

export type BenchKey = (typeof BENCH_KEYS)[number];

/** Keys the brief adds on top of bench.md (the PostgreSQL peer; absent when it is skipped). */
export const PEER_KEYS = ['peer.postgres.ingestEventsPerSec', 'peer.postgres.queryP95Ms'] as const;

/** Flat `key -> number` results; every value is a finite number (absent when not measured). */
export type BenchResults = Record<string, number>;
