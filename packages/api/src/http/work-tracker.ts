/**
 * Work started on behalf of requests that must finish before the engine closes — an ingest whose
 * client hung up still appends to the log, and closing under it would fail a write we may
 * already be acknowledging elsewhere.
 */
export class WorkTracker {
  private readonly pending = new Set<Promise<void>>();

  /** Registers `work` and returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return work;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves when every tracked piece of work has settled (including work tracked meanwhile). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
