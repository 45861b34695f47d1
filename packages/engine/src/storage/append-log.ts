import { mkdir, open, readdir, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './fsync.ts';

/** A closed segment of the log, ready to be loaded. */
export interface LogSegment {
  readonly seq: number;
  readonly path: string;
  readonly events: number;
  readonly bytes: number;
}

interface PendingWrite {
  readonly chunk: string;
  readonly events: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

const SEGMENT_RE = /^seg-(\d{12})\.csv$/;
const segmentName = (seq: number) => `seg-${String(seq).padStart(12, "0")}.csv`;

/**
 * The durable front of the write path: CSV lines appended to numbered segment files with group
 * commit. Every `append` that arrives while an fdatasync is running joins the next one, so one
 * fsync acknowledges many batches (LESSONS.md: 1.55M events/s for the log alone versus 0.14-0.21M
 * for a DuckDB commit per batch). An append resolves only after its bytes are on disk.
 *
 * Crash cases: a write torn by a crash was never acknowledged; `open` cuts every segment back to
 * its last complete line. Segments are loaded whole by the loader and deleted only after the
 * manifest records them as loaded (see loader.ts), so a segment is never loaded twice.
 */
export class AppendLog {
  private fh: FileHandle | null = null;
  private seq = 0;
  private segmentEvents = 0;
  private segmentBytes = 0;
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private io: Promise<void> = Promise.resolve();
  private failed: unknown = null;

  private constructor(private readonly dir: string) {}

  /**
   * Opens the log in `dir`. Returns the log, positioned on a new segment, and the segments left
   * from before (oldest first), repaired, for the caller to load or discard.
   */
  static async open(dir: string, loadedThroughSeq: number): Promise<{ log: AppendLog; leftover: LogSegment[] }> {
    await mkdir(dir, { recursive: true });
    const leftover: LogSegment[] = [];
    let maxSeq = loadedThroughSeq;
    for (const name of (await readdir(dir)).sort()) {
      const m = SEGMENT_RE.exec(name);
      if (!m) continue;
      const seq = Number(m[1]);
      const path = join(dir, name);
      maxSeq = Math.max(maxSeq, seq);
      if (seq <= loadedThroughSeq) {
        // Loaded and committed before a crash that came ahead of the unlink.
        await unlink(path);
        continue;
      }
      const seg = await repairSegment(seq, path);
      if (seg.events === 0) await unlink(path);
      else leftover.push(seg);
    }
    const log = new AppendLog(dir);
    log.seq = maxSeq;
    await log.startSegment();
    return { log, leftover };
  }

  /** Events appended to the current segment and not yet rotated out. */
  get currentEvents(): number {
    return this.segmentEvents;
  }

  /** Appends `chunk` (complete lines holding `events` events); resolves once it is fsynced. */
  append(chunk: string, events: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ chunk, events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.io = this.io.then(() => this.flushQueued());
      }
    });
  }

  /**
   * Writes and fsyncs everything queued so far in one go. All file-handle work (flushes, rotation,
   * close) runs one at a time on the `io` chain; appends that arrive meanwhile join the next flush.
   */
  private async flushQueued(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      if (this.failed) throw this.failed;
      const text = batch.length === 1 ? batch[0].chunk : batch.map((w) => w.chunk).join('');
      const buf = Buffer.from(text, 'utf8');
      const fh = this.fh!;
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      await fh.datasync();
      this.segmentBytes += buf.length;
      for (const w of batch) {
        this.segmentEvents += w.events;
        w.resolve();
      }
    } catch (err) {
      // A failed write or fsync leaves the segment's tail unknown: refuse everything from now on
      // rather than acknowledge on top of it (a full disk must fail loudly, never drop silently).
      this.failed = err;
      for (const w of batch) w.reject(err);
    }
  }

  /**
   * Closes the current segment (after the appends queued before this call land) and starts a new
   * one. Returns the closed segment, or null when it held nothing.
   */
  rotate(): Promise<LogSegment | null> {
    const done = this.io.then(async () => {
      await this.flushQueued();
      if (this.segmentEvents === 0) return null;
      const closed: LogSegment = {
        seq: this.seq,
        path: join(this.dir, segmentName(this.seq)),
        events: this.segmentEvents,
        bytes: this.segmentBytes,
      };
      await this.fh!.close();
      this.fh = null;
      await this.startSegment();
      return closed;
    });
    this.io = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  private async startSegment(): Promise<void> {
    this.seq += 1;
    this.fh = await open(join(this.dir, segmentName(this.seq)), 'a');
    this.segmentEvents = 0;
    this.segmentBytes = 0;
    await fsyncDir(this.dir);
  }

  /** Deletes a segment once it is recorded as loaded. */
  async remove(segment: LogSegment): Promise<void> {
    await unlink(segment.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async close(): Promise<void> {
    await this.io;
    await this.flushQueued();
    if (this.fh) {
      const empty = this.segmentEvents === 0;
      const path = join(this.dir, segmentName(this.seq));
      await this.fh.close();
      this.fh = null;
      if (empty) await unlink(path).catch(() => undefined);
    }
  }
}

/** Cuts a segment back to its last complete line and counts its events. */
async function repairSegment(seq: number, path: string): Promise<LogSegment> {
  const { size } = await stat(path);
  if (size === 0) return { seq, path, events: 0, bytes: 0 };
  const fh = await open(path, 'r');
  let buf: Buffer;
  try {
    buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const lastNl = buf.lastIndexOf(0x0a);
  const keep = lastNl + 1;
  if (keep < size) await truncate(path, keep);
  let events = 0;
  for (let i = 0; i < keep; i++) if (buf[i] === 0x0a) events++;
  return { seq, path, events, bytes: keep };
}
