import type { Manifest } from '../storage/manifest.ts';

/**
 * Counts erasures per engine (keyed by its manifest, one per open engine). An export that began
 * before an erasure may have read the subject's rows; it compares the count when it registers its
 * file and starts over if an erasure committed meanwhile, so no export outlives an erasure.
 */
const epochs = new WeakMap<Manifest, number>();

export function erasureEpoch(manifest: Manifest): number {
  return epochs.get(manifest) ?? 0;
}

/** Called under the write queue, in the erasure's critical section. */
export function bumpErasureEpoch(manifest: Manifest): void {
  epochs.set(manifest, erasureEpoch(manifest) + 1);
}
