import { join } from 'node:path';
import { TelemetryEngine } from '@telemetry/engine';
import { duckdbTableBytes } from '../duckdb-table-bytes.ts';
import type { Stage } from '../run-state.ts';

/**
 * Tables of engine.duckdb that are not aggregates: the manifest and engine state, the audit log,
 * the export registry and the aggregates' version counter. Per-entity state (`state_*`: first-seen
 * and last-active days of hashed ids, pruned by retention) is sized on its own. Everything else
 * is an aggregate: kept forever, what APPROXIMATE answers come from.
 */
const BOOKKEEPING_TABLES = new Set(['raw_files', 'dropped_days', 'engine_state', 'exports', 'audit_log', 'agg_meta']);
const isUserState = (t: string): boolean => t.startsWith('state_');
const isAggregate = (t: string): boolean => !BOOKKEEPING_TABLES.has(t) && !isUserState(t);

/**
 * `storage.bytesPerEvent` (raw Parquet bytes / stored events, after compaction: the steady state
 * the background compactor reaches) and `storage.aggregateBytesPerEvent` (aggregate tables sized
 * by copying them out of the closed engine.duckdb; the engine is reopened afterwards).
 */
export const storageStage: Stage = {
  name: 'storage',
  blockedBy: (state) => (state.library ? null : 'needs the engine of library-ingest'),
  async run({ state, put, note }) {
    const lib = state.library!;
    const before = await lib.engine.storageStatus();
    put('storage.bytesPerEventBeforeCompaction', before.totalBytes / before.totalEvents);
    put('storage.filesBeforeCompaction', before.partitions.reduce((a, p) => a + p.files, 0));

    let t = performance.now();
    await lib.engine.compactNow();
    put('storage.compactSec', (performance.now() - t) / 1000);
    const after = await lib.engine.storageStatus();
    put('storage.rawBytes', after.totalBytes);
    put('storage.bytesPerEvent', after.totalBytes / after.totalEvents);
    put('storage.files', after.partitions.reduce((a, p) => a + p.files, 0));
    put('storage.partitions', after.partitions.length);

    // engine.duckdb can only be read by another DuckDB instance once the engine lets go of it.
    t = performance.now();
    await lib.engine.close();
    put('engine.closeSec', (performance.now() - t) / 1000);
    try {
      const sizes = await duckdbTableBytes(join(lib.dataDir, 'engine.duckdb'), join(state.tmpDir, 'table-bytes'), {
        aggregates: isAggregate,
        userState: isUserState,
      });
      const events = after.totalEvents;
      if (!sizes.tables.some((x) => isAggregate(x.name))) {
        throw new Error(`engine.duckdb holds no aggregate tables (only ${sizes.tables.map((x) => x.name).join(', ')}): is the aggregator still a stub?`);
      }
      put('storage.aggregateBytes', sizes.groups.aggregates);
      put('storage.aggregateBytesPerEvent', sizes.groups.aggregates / events);
      put('storage.userStateBytesPerEvent', sizes.groups.userState / events);
      put('storage.engineDbFileBytes', sizes.fileBytes);
      put('storage.engineDbUsedBytesPerEvent', sizes.usedBytes / events);
      const largest = [...sizes.tables].sort((a, b) => b.bytes - a.bytes).slice(0, 6);
      note(
        'engine.duckdb tables (rows, bytes copied alone): ' +
          largest.map((x) => `${x.name} ${x.rows.toLocaleString('en-US')} rows ${(x.bytes / 1e6).toFixed(1)} MB`).join(', '),
      );
    } finally {
      t = performance.now();
      const engine = await TelemetryEngine.open({ dataDir: lib.dataDir, clock: () => state.clockMs });
      put('engine.reopenSec', (performance.now() - t) / 1000);
      state.cleanups.push(() => engine.close());
      lib.engine = engine;
    }
  },
};
