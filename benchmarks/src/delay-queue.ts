/**
 * A binary min-heap of items due at a tick, ties broken by insertion order, so a held-back session
 * comes out in its original order and the stream stays deterministic. Holds the late sessions and the
 * events waiting to be re-sent: its size is the generator's only state that grows with the event rate.
 */
export class DelayQueue<T> {
  private ticks: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The tick of the earliest item, or +Infinity when empty. */
  peekTick(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.ticks[0];
  }

  push(tick: number, item: T): void {
    const seq = this.nextSeq++;
    let i = this.items.length;
    this.ticks.push(tick);
    this.seqs.push(seq);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(tick, seq, this.ticks[parent], this.seqs[parent])) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, tick, seq, item);
  }

  /** Removes and returns the earliest item; undefined when empty. */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    const lastTick = this.ticks.pop()!;
    const lastSeq = this.seqs.pop()!;
    const lastItem = this.items.pop()!;
    if (n === 1) return top;
    const size = n - 1;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child =
        right < size && this.before(this.ticks[right], this.seqs[right], this.ticks[left], this.seqs[left])
          ? right
          : left;
      if (!this.before(this.ticks[child], this.seqs[child], lastTick, lastSeq)) break;
      this.move(child, i);
      i = child;
    }
    this.place(i, lastTick, lastSeq, lastItem);
    return top;
  }

  private before(tickA: number, seqA: number, tickB: number, seqB: number): boolean {
    return tickA < tickB || (tickA === tickB && seqA < seqB);
  }

  private move(from: number, to: number): void {
    this.ticks[to] = this.ticks[from];
    this.seqs[to] = this.seqs[from];
    this.items[to] = this.items[from];
  }

  private place(i: number, tick: number, seq: number, item: T): void {
    this.ticks[i] = tick;
    this.seqs[i] = seq;
    this.items[i] = item;
  }
}
