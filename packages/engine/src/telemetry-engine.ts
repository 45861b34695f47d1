import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type ActiveUsersArgs,
  type ActiveUsersPoint,
  type ActorRole,
  addDays,
  type CrashRateArgs,
  type CrashRatePoint,
  type DateRange,
  type Day,
  DataDirLockedError,
  dayOf,
  dayStartMs,
  type DeletionReport,
  EngineClosedError,
  type ExportFormat,
  type FeatureAdoption,
  type FeatureAdoptionArgs,
  type IngestResult,
  type LatencyArgs,
  type LatencyPoint,
  MAX_EVENTS_PER_BATCH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  BadInputError,
  OverloadedError,
  type RetentionCohort,
  type RetentionCohortsArgs,
  type RetentionReport,
  type StorageStatus,
  type TelemetrySettings,
  type TelemetrySettingsInput,
} from '@telemetry/schema';
import { metricsAggregator } from './aggregate/index.ts';
import type { BatchAggregator } from './aggregate/aggregator.ts';
import type {
  AuditEntry,
  AuditKind,
  ExportInfo,
  ExportRequest,
  IngestOptions,
  PendingDeletion,
  ScanQuery,
  SettingsChange,
  StoredEventRow,
  Subject,
  TelemetryEngineApi,
} from './engine.ts';
import { type EncodedBatch, encodeBatch, licenseKey } from './ingest/batch-encoder.ts';
import { EncoderPool } from './ingest/encoder-pool.ts';
import { IdempotencyStore } from './ingest/idempotency.ts';
import { Pseudonymizer } from './ingest/pseudonymizer.ts';
import { auditLog } from './lifecycle/audit-log.ts';
import * as lifecycle from './lifecycle/index.ts';
import { type EngineLogger, type EngineOptions, silentLogger } from './options.ts';
import * as queries from './query/index.ts';
import type { QueryContext } from './query/context.ts';
import { SettingsLog } from './settings/settings-log.ts';
import { AppendLog, type LogSegment } from './storage/append-log.ts';
import { compactDays } from './storage/compaction.ts';
import { Sql, SqlPool } from './storage/duck.ts';
import { STAGE, loadSegments, readDayFingerprints } from './storage/loader.ts';
import { SeenEvents, dayStringToNumber } from './storage/seen-events.ts';
import { Manifest } from './storage/manifest.ts';
import { scanRows } from './storage/scan.ts';

/** Data directories open in this process: DuckDB's file lock only guards against other processes. */
const openDirs = new Set<string>();

/**
 * What lifecycle jobs (retention, erasure, export) get from the engine. `exclusive` runs work in
 * the same queue as the loader and compaction, so nothing rewrites files underneath them.
 */
export interface EngineInternals extends QueryContext {
  readonly dataDir: string;
  readonly manifest: Manifest;
  readonly logger: EngineLogger;
  exclusive<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Loads everything acknowledged so far (call outside `exclusive`). */
  flush(): Promise<void>;
  /** The stored pseudonym (decimal UBIGINT) of a raw subject id. */
  pseudonymOf(subject: Subject): { column: 'user_hash' | 'license_hash'; hash: string };
  audit(kind: AuditKind, role: ActorRole, details: Record<string, unknown>): Promise<void>;
}

/**
 * The telemetry engine: opened on a data directory it owns, it takes events (`ingest`), keeps
 * them as day-partitioned Parquet with materialized aggregates, answers metric queries, and runs
 * the data lifecycle. See packages/engine/README.md for the design and its crash cases.
 *
 * @example
 * const engine = await TelemetryEngine.open({ dataDir: './data' });
 * await engine.updateSettings({ enabled: true });
 * await engine.ingest([{ eventId: 'e1', timestamp: new Date().toISOString(), type: 'session_start',
 *   productId: 'app', userId: 'u1', sessionId: 's1' }]);
 * await engine.flush();
 * console.log(await engine.activeUsers({ range: { from: '2026-11-01', to: '2026-11-25' } }));
 * await engine.close();
 */
export class TelemetryEngine implements TelemetryEngineApi {
  private closed = false;
  private work: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  /** Closed segments waiting to be loaded, oldest first. */
  private readonly queued: LogSegment[] = [];
  private queuedEvents = 0;
  private lastLoadError: unknown = null;
  private readonly internals: EngineInternals;
  private encoders: EncoderPool | null = null;

  /** Fingerprints of stored events per day: the loader's exactly-once check. */
  private readonly seen: SeenEvents;

  private constructor(
    readonly dataDir: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: Sql,
    private readonly pool: SqlPool,
    private readonly manifest: Manifest,
    private readonly log: AppendLog,
    private readonly settingsLog: SettingsLog,
    private readonly idempotency: IdempotencyStore,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly secret: string,
    private readonly aggregator: BatchAggregator,
    private readonly options: Required<Omit<EngineOptions, 'hashSecret' | 'threads' | 'logger' | 'memoryLimit' | 'duckdbSettings'>> & { logger: EngineLogger },
  ) {
    const self = this;
    this.seen = new SeenEvents((day) => readDayFingerprints(writer, manifest, day));
    manifest.onEventsRemoved = (days) => this.seen.forget(days.map(dayStringToNumber));
    this.internals = {
      dataDir,
      manifest,
      pool,
      logger: options.logger,
      today: () => self.today(),
      nowMs: () => self.options.clock(),
      settings: () => self.settingsLog.current(),
      leaseRawFiles: (from, to) => manifest.lease(from, to),
      expiredDaysIn: (from, to) => [...manifest.droppedDays().keys()].filter((d) => d >= from && d <= to).sort(),
      exclusive: (fn) => self.exclusive(fn),
      flush: () => self.flush(),
      pseudonymOf: (subject) =>
        subject.userId !== undefined
          ? { column: 'user_hash', hash: self.pseudonymizer.pseudonym(subject.userId) }
          : { column: 'license_hash', hash: self.pseudonymizer.pseudonym(licenseKey(subject.licenseId!)) },
      audit: (kind, role, details) => self.exclusive((sql) => auditLog.append(sql, self.options.clock(), kind, role, details)),
    };
  }

  /** Opens (creating if absent) the data directory. Throws DataDirLockedError if another engine owns it. */
  static async open(options: EngineOptions & { aggregator?: BatchAggregator }): Promise<TelemetryEngine> {
    const dataDir = resolve(options.dataDir);
    if (openDirs.has(dataDir)) throw new DataDirLockedError(dataDir, 'open in this process');
    openDirs.add(dataDir);
    try {
      return await TelemetryEngine.openOwned(dataDir, options);
    } catch (err) {
      openDirs.delete(dataDir);
      throw err;
    }
  }

  private static async openOwned(dataDir: string, options: EngineOptions & { aggregator?: BatchAggregator }): Promise<TelemetryEngine> {
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? Date.now;
    await mkdir(join(dataDir, 'events'), { recursive: true });
    let instance: DuckDBInstance;
    try {
      // DuckDB's default memory limit is 80% of RAM; an ingest server must stay bounded, and the
      // loader's work spills to disk (temp_directory) beyond this.
      const config: Record<string, string> = {
        memory_limit: options.memoryLimit ?? '768MB',
        temp_directory: join(dataDir, 'tmp'),
        // Lets DuckDB build the loader's many intermediate tables in parallel without merging
        // order back (about 9% less CPU per load, measured); the engine orders with ORDER BY
        // wherever order matters (scan, the loader's rowid read, sorted Parquet).
        preserve_insertion_order: 'false',
      };
      if (options.threads) config.threads = String(options.threads);
      Object.assign(config, options.duckdbSettings);
      instance = await DuckDBInstance.create(join(dataDir, 'engine.duckdb'), config);
    } catch (err) {
      const msg = String((err as Error).message ?? err);
      if (/lock/i.test(msg)) throw new DataDirLockedError(dataDir, msg.split('\n')[0]);
      throw err;
    }
    const writer = new Sql(await instance.connect());
    await writer.run(`ATTACH IF NOT EXISTS ':memory:' AS ${STAGE}`);
    const pool = await SqlPool.create(instance, 4);
    const aggregator = options.aggregator ?? metricsAggregator;
    await Manifest.createTables(writer);
    await auditLog.createTable(writer);
    await aggregator.init(writer);
    await lifecycle.init(writer);
    const manifest = await Manifest.load(writer, dataDir);
    manifest.onDeleteError = (path, err) => logger.warn('could not delete a replaced file; the next open removes it', { path, error: String(err) });
    await removeUnlistedFiles(dataDir, manifest);
    await lifecycle.sweepExports(writer, dataDir, clock());
    const secret = options.hashSecret ?? (await loadOrCreateSecret(join(dataDir, 'secret.key')));
    const settingsLog = await SettingsLog.open(join(dataDir, 'settings.ndjson'));
    const idempotency = await IdempotencyStore.open(join(dataDir, 'idempotency.ndjson'), clock());
    const { log, leftover } = await AppendLog.open(join(dataDir, 'log'), manifest.loadedThroughSeq);
    const engine = new TelemetryEngine(
      dataDir,
      instance,
      writer,
      pool,
      manifest,
      log,
      settingsLog,
      idempotency,
      new Pseudonymizer(secret),
      secret,
      aggregator,
      {
        dataDir,
        clock,
        logger,
        loadIntervalMs: options.loadIntervalMs ?? 1000,
        loadBatchEvents: options.loadBatchEvents ?? 1_000_000,
        maxPendingEvents: options.maxPendingEvents ?? 4_000_000,
        compactAtFiles: options.compactAtFiles ?? 8,
        background: options.background ?? true,
        encoderThreads: options.encoderThreads ?? 2,
      },
    );
    // Segments acknowledged before a crash or stop are loaded before anything else happens.
    for (const seg of leftover) engine.enqueue(seg);
    if (leftover.length > 0) {
      logger.info('recovering acknowledged events from the log', { segments: leftover.length, events: engine.queuedEvents });
      await engine.flush();
    }
    if (engine.options.background) engine.startTimer();
    return engine;
  }

  // ---------------------------------------------------------------- ingest

  /**
   * Validates, scrubs, pseudonymizes and durably appends a batch. Resolves once the accepted
   * events are fsynced (they survive kill -9 from then on); they reach Parquet and the aggregates
   * within about `loadIntervalMs`. Invalid events are reported per index; the valid ones are kept.
   */
  async ingest(events: readonly unknown[], options: IngestOptions = {}): Promise<IngestResult> {
    this.assertOpen();
    if (!Array.isArray(events)) throw new BadInputError('events', 'events must be an array of event objects');
    return this.oncePerKey(options.idempotencyKey, () =>
      this.admit(events.length, (nowMs, oldestAllowedMs) =>
        encodeBatch(events, { nowMs, oldestAllowedMs, pseudonymizer: this.pseudonymizer, sentAt: options.sentAt }),
      ),
    );
  }

  /**
   * Ingests a request body as `POST /v1/events` receives it (a JSON array, `{events, sentAt}`, or
   * NDJSON when `contentType` says so), parsed and encoded in worker threads so that the thread
   * serving HTTP only appends and fsyncs. Throws InvalidBodyError (`invalid_body`) or
   * TooManyEventsError (`too_many_events`, nothing stored) for a body that is not a batch.
   */
  async ingestBody(
    body: Uint8Array,
    options: IngestOptions & { readonly contentType?: string; readonly maxEvents?: number } = {},
  ): Promise<IngestResult> {
    this.assertOpen();
    return this.oncePerKey(options.idempotencyKey, () =>
      this.admit(0, (nowMs, oldestAllowedMs) =>
        this.encoderPool().encode({
          body,
          contentType: options.contentType,
          maxEvents: options.maxEvents ?? MAX_EVENTS_PER_BATCH,
          nowMs,
          oldestAllowedMs,
          sentAt: options.sentAt,
        }),
      ),
    );
  }

  /** Runs `fn` once per idempotency key within 7 days; repeats get the first answer with duplicate: true. */
  private async oncePerKey(key: string | undefined, fn: () => Promise<IngestResult>): Promise<IngestResult> {
    if (key === undefined) return fn();
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new BadInputError('idempotencyKey', `idempotencyKey must be 1..${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    const earlier = await this.idempotency.lookup(key, this.options.clock());
    if (earlier) return { ...earlier, duplicate: true };
    return this.idempotency.claim(key, this.options.clock(), fn);
  }

  /**
   * The shared tail of both ingest paths: the telemetry-off answer, back-pressure, then encode and
   * append. Resolves after the accepted lines are fsynced.
   */
  private async admit(
    incoming: number,
    encode: (nowMs: number, oldestAllowedMs: number) => EncodedBatch | Promise<EncodedBatch>,
  ): Promise<IngestResult> {
    const settings = this.settingsLog.current();
    if (!settings.enabled) {
      return { telemetryEnabled: false, accepted: 0, rejected: [], droppedFields: 0, duplicate: false };
    }
    const pending = this.pendingEvents();
    if (pending + incoming > this.options.maxPendingEvents) {
      this.kickLoader();
      throw new OverloadedError(2, `the write queue holds ${pending} events not yet loaded; retry later`);
    }
    const nowMs = this.options.clock();
    const oldestAllowedMs = dayStartMs(addDays(dayOf(nowMs), -settings.storageDurationDays));
    const { lines, result } = await encode(nowMs, oldestAllowedMs);
    if (result.accepted > 0 && this.pendingEvents() + result.accepted > this.options.maxPendingEvents) {
      // A body's size is known only once parsed: refuse here, before anything is appended.
      this.kickLoader();
      throw new OverloadedError(2, `the write queue holds ${this.pendingEvents()} events not yet loaded; retry later`);
    }
    if (result.accepted > 0) {
      await this.log.append(lines, result.accepted);
      if (this.log.currentEvents >= this.options.loadBatchEvents) this.kickLoader();
    }
    return result;
  }

  private encoderPool(): EncoderPool {
    this.encoders ??= new EncoderPool(this.secret, this.options.encoderThreads);
    return this.encoders;
  }

  /** Events acknowledged but not yet in Parquet and the aggregates. */
  pendingEvents(): number {
    return this.log.currentEvents + this.queuedEvents;
  }

  // ---------------------------------------------------------------- background loading

  private enqueue(seg: LogSegment): void {
    this.queued.push(seg);
    this.queuedEvents += seg.events;
  }

  private startTimer(): void {
    this.timer = setInterval(() => this.kickLoader(), this.options.loadIntervalMs);
    this.timer.unref();
  }

  private kickLoading = false;
  /** Starts a load in the background unless one is already queued. */
  private kickLoader(): void {
    if (this.kickLoading || this.closed) return;
    this.kickLoading = true;
    void this.exclusive(async (sql) => {
      this.kickLoading = false;
      await this.loadPending(sql);
      await this.compact(sql);
    }).catch((err) => {
      this.lastLoadError = err;
      this.options.logger.error('background load failed; the events stay in the log and are retried', {
        error: String((err as Error)?.message ?? err),
      });
    });
  }

  /** Runs `fn` after every earlier piece of write work, with the writer connection. */
  private exclusive<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const run = this.work.then(() => fn(this.writer));
    this.work = run.catch(() => undefined);
    return run;
  }

  /** Rotates the log and loads the queued segments, in steps of about loadBatchEvents. */
  private async loadPending(sql: Sql): Promise<void> {
    const seg = await this.log.rotate();
    if (seg) this.enqueue(seg);
    while (this.queued.length > 0) await this.loadStep(sql);
  }

  private async loadStep(sql: Sql): Promise<void> {
    // At most about loadBatchEvents per load, so a backlog is worked off in bounded steps.
    let take = 0;
    for (let n = 0; take < this.queued.length && (take === 0 || n + this.queued[take].events <= this.options.loadBatchEvents); take++) {
      n += this.queued[take].events;
    }
    const batch = this.queued.slice(0, take);
    const started = Date.now();
    const result = await loadSegments(
      sql,
      { dataDir: this.dataDir, manifest: this.manifest, aggregator: this.aggregator, logger: this.options.logger, seen: this.seen, spare: this.pool },
      batch,
    );
    this.queued.splice(0, batch.length);
    for (const s of batch) {
      this.queuedEvents -= s.events;
      await this.log.remove(s);
    }
    this.lastLoadError = null;
    this.options.logger.info('loaded', { events: result.events, duplicates: result.duplicates, days: result.days.length, ms: Date.now() - started });
  }

  private async compact(sql: Sql): Promise<void> {
    await compactDays(sql, { dataDir: this.dataDir, manifest: this.manifest, minFiles: this.options.compactAtFiles, logger: this.options.logger });
  }

  /**
   * Resolves once every event acknowledged before the call is in Parquet and in the aggregates.
   * Rejects if loading fails (the events then stay safely in the log).
   */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.exclusive((sql) => this.loadPending(sql));
  }

  /** Compacts every day with more than one file now (normally done in the background). */
  async compactNow(): Promise<void> {
    await this.exclusive((sql) =>
      compactDays(sql, { dataDir: this.dataDir, manifest: this.manifest, minFiles: 2, logger: this.options.logger, maxDays: Infinity }),
    );
  }

  // ---------------------------------------------------------------- settings

  getSettings(): TelemetrySettings {
    return this.settingsLog.current();
  }

  async updateSettings(input: TelemetrySettingsInput, role: ActorRole = 'library'): Promise<TelemetrySettings> {
    this.assertOpen();
    const old = this.settingsLog.current();
    const next = await this.settingsLog.update(input, role, this.options.clock());
    if (next !== old) await this.internals.audit('settings_changed', role, { old: { enabled: old.enabled, storageDurationDays: old.storageDurationDays }, new: { enabled: next.enabled, storageDurationDays: next.storageDurationDays } });
    return next;
  }

  settingsHistory(): readonly SettingsChange[] {
    return this.settingsLog.changes();
  }

  /** What the next retention run would delete with `storageDurationDays` (default: the current setting). */
  async pendingDeletion(storageDurationDays?: number): Promise<PendingDeletion> {
    const n = storageDurationDays ?? this.settingsLog.current().storageDurationDays;
    const keptFrom = addDays(this.today(), -n);
    let days = 0;
    let events = 0;
    for (const day of this.manifest.days()) {
      if (day >= keptFrom) continue;
      days++;
      for (const f of this.manifest.filesOf(day)) events += f.events;
    }
    return { days, events, oldestKeptDay: keptFrom };
  }

  // ---------------------------------------------------------------- reading

  async storageStatus(): Promise<StorageStatus> {
    const partitions = this.manifest.days().map((day) => {
      const files = this.manifest.filesOf(day);
      return {
        day,
        events: files.reduce((a, f) => a + f.events, 0),
        bytes: files.reduce((a, f) => a + f.bytes, 0),
        files: files.length,
        // Files enter the manifest in the same transaction as their aggregates.
        aggregated: true,
      };
    });
    const dropped = [...this.manifest.droppedDays().keys()].sort();
    const oldestDay = partitions[0]?.day ?? null;
    const aggregatedFrom = [dropped[0], oldestDay].filter((d): d is Day => !!d).sort()[0] ?? null;
    return {
      totalEvents: partitions.reduce((a, p) => a + p.events, 0),
      totalBytes: partitions.reduce((a, p) => a + p.bytes, 0),
      oldestDay,
      newestDay: partitions[partitions.length - 1]?.day ?? null,
      partitions,
      aggregatedFrom,
    };
  }

  /**
   * Streams stored events (pseudonymized) of a range, optionally filtered by segment or subject.
   * Flushes first, so every event acknowledged before the call is included.
   */
  async *scan(query: ScanQuery): AsyncIterable<StoredEventRow> {
    this.assertOpen();
    await this.flush();
    yield* scanRows(this.internals, query);
  }

  activeUsers(args: ActiveUsersArgs): Promise<ActiveUsersPoint[]> {
    this.assertOpen();
    return queries.activeUsers(this.internals, args);
  }

  featureAdoption(args: FeatureAdoptionArgs): Promise<FeatureAdoption[]> {
    this.assertOpen();
    return queries.featureAdoption(this.internals, args);
  }

  latency(args: LatencyArgs): Promise<LatencyPoint[]> {
    this.assertOpen();
    return queries.latency(this.internals, args);
  }

  crashRate(args: CrashRateArgs): Promise<CrashRatePoint[]> {
    this.assertOpen();
    return queries.crashRate(this.internals, args);
  }

  retentionCohorts(args: RetentionCohortsArgs): Promise<RetentionCohort[]> {
    this.assertOpen();
    return queries.retentionCohorts(this.internals, args);
  }

  // ---------------------------------------------------------------- lifecycle

  rebuildAggregates(range: DateRange, role: ActorRole = 'library'): Promise<{ days: number; events: number }> {
    this.assertOpen();
    return lifecycle.rebuildAggregates(this.internals, range, role);
  }

  runRetention(role: ActorRole = 'library'): Promise<RetentionReport> {
    this.assertOpen();
    return lifecycle.runRetention(this.internals, role);
  }

  deleteSubject(subject: Subject, role: ActorRole = 'library'): Promise<DeletionReport> {
    this.assertOpen();
    return lifecycle.deleteSubject(this.internals, subject, role);
  }

  createExport(request: ExportRequest, role: ActorRole = 'library'): Promise<ExportInfo> {
    this.assertOpen();
    return lifecycle.createExport(this.internals, request, role);
  }

  /** Every stored event of one subject (a data access request), pseudonymized, in time order. */
  exportSubject(subject: Subject): AsyncIterable<StoredEventRow> {
    this.assertOpen();
    return lifecycle.exportSubject(this.internals, subject);
  }

  /** A data access request as a downloadable file (see createExport). */
  createSubjectExport(subject: Subject, format: ExportFormat, role: ActorRole = 'library'): Promise<ExportInfo> {
    this.assertOpen();
    return lifecycle.createSubjectExport(this.internals, subject, format, role);
  }

  getExport(id: string): Promise<ExportInfo | null> {
    this.assertOpen();
    return lifecycle.getExport(this.internals, id);
  }

  auditLog(options?: { limit?: number; kinds?: readonly AuditKind[] }): Promise<AuditEntry[]> {
    this.assertOpen();
    return this.pool.use((sql) => auditLog.list(sql, options));
  }

  // ---------------------------------------------------------------- closing

  /** Loads what the log holds, then closes DuckDB and releases the data directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.exclusive((sql) => this.loadPending(sql));
    } catch (err) {
      // The log keeps the events; the next open loads them.
      this.options.logger.error('final load failed; events stay in the log', { error: String((err as Error)?.message ?? err) });
    }
    this.closed = true;
    await this.work;
    await this.log.close();
    await this.encoders?.close();
    this.pool.close();
    this.writer.close();
    this.instance.closeSync();
    openDirs.delete(this.dataDir);
  }

  /** The last background load error, or null (for health checks). */
  loadError(): unknown {
    return this.lastLoadError;
  }

  private today(): Day {
    return dayOf(this.options.clock());
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError();
  }
}

async function loadOrCreateSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFile(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/** Removes Parquet files the manifest does not list (debris of a crash) and the staging area. */
async function removeUnlistedFiles(dataDir: string, manifest: Manifest): Promise<void> {
  await rm(join(dataDir, 'staging'), { recursive: true, force: true });
  const listed = new Set(manifest.allFiles().map((f) => f.path));
  const eventsDir = join(dataDir, 'events');
  for (const dayDir of await readdir(eventsDir).catch(() => [] as string[])) {
    const dir = join(eventsDir, dayDir);
    const names = await readdir(dir).catch(() => [] as string[]);
    let left = names.length;
    for (const name of names) {
      const rel = join('events', dayDir, name);
      if (!listed.has(rel)) {
        await rm(join(dataDir, rel), { force: true });
        left--;
      }
    }
    if (left === 0) await rm(dir, { recursive: true, force: true });
  }
}
