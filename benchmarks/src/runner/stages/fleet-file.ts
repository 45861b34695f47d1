import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFleetNdjson } from '../../generator.ts';
import { ProgressReporter } from '../../stats.ts';
import type { Stage } from '../run-state.ts';

/**
 * Writes the fleet once as NDJSON: the same JSON the DuckDB baseline and the HTTP client read.
 * Timed on its own (`fleet.ndjsonWriteSec`), never part of a baseline; fsynced before the baseline.
 */
export const fleetFileStage: Stage = {
  name: 'fleet-file',
  async run({ state, put, log }) {
    const path = join(state.tmpDir, 'fleet.ndjson');
    const progress = new ProgressReporter({ label: 'write NDJSON', total: state.options.events, write: log, intervalMs: 2000 });
    const r = await writeFleetNdjson(state.fleet, path, { onProgress: (n) => progress.update(n) });
    progress.finish(r.events);
    put('fleet.ndjsonWriteSec', r.ms / 1000);
    // Flush the 3 GB of dirty pages now: left to the kernel, their writeback runs during the next
    // stage (the baseline) and takes a core and the disk from it.
    const t = performance.now();
    const file = await open(path, 'r+');
    await file.sync();
    await file.close();
    put('fleet.ndjsonSyncSec', (performance.now() - t) / 1000);
    put('fleet.ndjsonBytes', r.bytes);
    put('fleet.jsonBytesPerEvent', r.bytes / r.events);
    state.ndjsonPath = path;
  },
};
