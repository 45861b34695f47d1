import type { EventType, PropertyValue, TelemetryEventInput } from '@telemetry/schema';
import { DelayQueue } from './delay-queue.ts';
import {
  BAD_VERSION_CRASH,
  BAD_VERSION_CRASH_MULTIPLIER,
  BASE_SESSION_CRASH_RATE,
  BODY_MIX,
  COUNTRIES,
  CRASH_TYPES,
  DIURNAL_WEIGHTS,
  ERROR_TYPES,
  FEATURE_RAMP_DAYS,
  FEATURE_SOURCES,
  INTERACTION_TARGETS,
  LEAKY_ERROR_NAMES,
  LEAKY_ERROR_RATE,
  LEGACY_IP_RATE,
  LICENSE_TYPES,
  LOCALES,
  MAX_BODY_EVENTS,
  MEAN_BODY_EVENTS,
  MEAN_EVENT_GAP_MS,
  OS_PROFILES,
  SCREENS,
  type OsProfile,
} from './fleet-model.ts';
import { MS_PER_DAY, type FleetPlan } from './fleet-plan.ts';
import { FleetPopulation, LICENSE_ENTERPRISE, LICENSE_TRIAL } from './fleet-population.ts';
import { corruptEvent, type MalformedEvent } from './malformed.ts';
import { cumulativeWeights, SeededRandom } from './rng.ts';
import { TimestampFormatter } from './timestamp-format.ts';

/** A valid event as the fleet sends it; the oldest SDK also sends an `ip` field that ingest must drop. */
export type FleetEvent = TelemetryEventInput & { ip?: string };
/** What the stream yields: mostly valid events, a few malformed objects. */
export type FleetItem = FleetEvent | MalformedEvent;

/** Counters of what the stream has emitted so far. */
export interface FleetStats {
  /** Items emitted, of every kind. */
  emitted: number;
  /** Distinct events created (on time or late), before any re-send or corruption. */
  generated: number;
  /** Emitted items that belong to a session held back 1-5 days (including corrupted ones). */
  late: number;
  /** Emitted re-sends of an earlier event (same eventId and content). */
  duplicates: number;
  /** Emitted items that break the contract. */
  malformed: number;
  sessions: number;
  crashedSessions: number;
  /** Largest number of events held back at once: the generator's memory bound in practice. */
  peakPending: number;
}

/** A re-send waits at least this many generated events, so it never shares a batch of <= 10,000 with its original. */
const MIN_RESEND_DISTANCE = 10_000 + MAX_BODY_EVENTS + 4;
const MEAN_RESEND_EXTRA = 40_000;
/** Ticks of sessions due after the last day: they come out in the final flush, in day order. */
const AFTER_END_TICK = 1e15;
/** `-1`, `-2`, ...: the event counter part of an eventId, without a number-to-string per event. */
const SEQ_SUFFIX = Array.from({ length: MAX_BODY_EVENTS + 8 }, (_, i) => '-' + i);
const DIURNAL_CUM = cumulativeWeights(DIURNAL_WEIGHTS);
const MIX_FEATURE = BODY_MIX.feature;
const MIX_INTERACTION = MIX_FEATURE + BODY_MIX.interaction;
const MIX_RESPONSE = MIX_INTERACTION + BODY_MIX.response;

interface Pending {
  readonly event: FleetEvent;
  readonly resend: boolean;
}

/** Per-session context shared by its events. */
interface SessionContext {
  productId: string;
  userId: string;
  sessionId: string;
  seq: number;
  appVersion: string;
  os: string;
  osVersion: string;
  country: string;
  licenseId: string | undefined;
  licenseType: string;
  offsetMinutes: number;
  ip: string | undefined;
}

/**
 * The stream's engine: walks the plan day by day, picks users by activity among those active that
 * day, writes their sessions as events, holds some sessions back as late arrivals, schedules re-sends
 * and corrupts a few events. `fill` hands out the next items; the state is the population (fixed), the
 * current session, and the delay queue (bounded by `maxPending`).
 */
export class FleetSimulator {
  readonly stats: FleetStats = {
    emitted: 0,
    generated: 0,
    late: 0,
    duplicates: 0,
    malformed: 0,
    sessions: 0,
    crashedSessions: 0,
    peakPending: 0,
  };
  private readonly rng: SeededRandom;
  private readonly population: FleetPopulation;
  private readonly format: TimestampFormatter;
  private readonly releaseDays: Int32Array;
  private readonly versionNames: string[];
  private readonly badVersionIndex: number;
  /** Cumulative generated-event target at the end of each day: the day's share of the fleet's activity. */
  private readonly dayTargets: Float64Array;
  private readonly queue = new DelayQueue<Pending>();
  private readonly resendProbability: number;

  private day = -1;
  private dayStartMs = 0;
  private readonly poolUsers: Int32Array;
  private readonly poolCum: Float64Array;
  private poolSize = 0;
  private readonly featureCum = new Float64Array(64);
  private readonly featureIndex = new Int32Array(64);
  private featureCount = 0;

  /** Events created so far: the clock that late sessions and re-sends are scheduled against. */
  private generated = 0;
  /** Emitted + held back + buffered: the stream stops creating events when this reaches `plan.events`. */
  private committed = 0;
  private buffer: FleetEvent[] = [];
  private cursor = 0;
  private finished = false;
  private readonly offsets = new Float64Array(MAX_BODY_EVENTS + 4);
  private readonly session: SessionContext = {
    productId: '',
    userId: '',
    sessionId: '',
    seq: 0,
    appVersion: '',
    os: '',
    osVersion: '',
    country: '',
    licenseId: undefined,
    licenseType: '',
    offsetMinutes: 0,
    ip: undefined,
  };

  constructor(readonly plan: FleetPlan) {
    this.rng = new SeededRandom(plan.seed);
    this.population = new FleetPopulation(plan, this.rng);
    this.format = new TimestampFormatter(plan.startMs, plan.days);
    this.releaseDays = Int32Array.from(plan.versions, (v) => v.releaseIndex);
    this.versionNames = plan.versions.map((v) => v.version);
    this.badVersionIndex = this.versionNames.indexOf(plan.badVersion);
    this.poolUsers = new Int32Array(plan.users);
    this.poolCum = new Float64Array(plan.users);
    const d = plan.duplicateFraction;
    this.resendProbability = d / (1 - d);

    const activity = this.population.dailyActivity(plan);
    const total = activity.reduce((a, b) => a + b, 0);
    const target = plan.events * (1 - d);
    this.dayTargets = new Float64Array(plan.days);
    let running = 0;
    for (let i = 0; i < plan.days; i++) {
      running += activity[i];
      this.dayTargets[i] = total > 0 ? (target * running) / total : i === plan.days - 1 ? target : 0;
    }
  }

  /** True once every item has been handed out. */
  get done(): boolean {
    return this.finished;
  }

  /** Appends up to `max` items to `out`; returns how many. Fewer than `max` only at the end. */
  fill(out: FleetItem[], max: number): number {
    const start = out.length;
    const limit = start + max;
    const queue = this.queue;
    while (out.length < limit) {
      if (queue.size > 0 && (queue.peekTick() <= this.generated || queue.size > this.plan.maxPending)) {
        this.emitPending(out, queue.pop()!);
      } else if (this.cursor < this.buffer.length) {
        this.emitEvent(out, this.buffer[this.cursor++]);
      } else if (this.committed < this.plan.events) {
        this.createSession();
      } else if (queue.size > 0) {
        this.emitPending(out, queue.pop()!);
      } else {
        this.finished = true;
        break;
      }
    }
    return out.length - start;
  }

  private emitPending(out: FleetItem[], pending: Pending): void {
    if (pending.resend) {
      out.push(pending.event);
      this.stats.duplicates++;
      this.stats.emitted++;
    } else {
      this.stats.late++;
      this.emitEvent(out, pending.event);
    }
  }

  private emitEvent(out: FleetItem[], event: FleetEvent): void {
    this.stats.emitted++;
    const rng = this.rng;
    if (rng.next() < this.plan.malformedFraction) {
      out.push(corruptEvent(event, rng));
      this.stats.malformed++;
      return;
    }
    out.push(event);
    if (this.committed < this.plan.events && rng.next() < this.resendProbability) {
      // A copy, as a retry that re-serializes would be; delayed past any batch its original is in.
      const copy: FleetEvent = { ...event };
      if (event.properties) copy.properties = { ...event.properties };
      const tick = this.generated + MIN_RESEND_DISTANCE + rng.exponential(MEAN_RESEND_EXTRA);
      this.hold(tick, { event: copy, resend: true });
      this.committed++;
    }
  }

  private hold(tick: number, pending: Pending): void {
    this.queue.push(tick, pending);
    if (this.queue.size > this.stats.peakPending) this.stats.peakPending = this.queue.size;
  }

  /** Writes the next session into the buffer (or the delay queue), moving to the next day when this one is full. */
  private createSession(): void {
    const last = this.plan.days - 1;
    while (this.day < 0 || (this.day < last && this.generated >= this.dayTargets[this.day])) {
      this.startDay(this.day + 1);
    }
    const u = this.poolUsers[this.rng.weightedIndex(this.poolCum, this.poolSize)];
    const events = this.buildSession(u);
    const room = this.plan.events - this.committed;
    if (events.length > room) events.length = room;
    this.generated += events.length;
    this.committed += events.length;
    this.stats.generated += events.length;
    this.stats.sessions++;

    if (this.rng.next() < this.plan.lateFraction) {
      // A device offline for 1-5 days: the whole session arrives at some point of a later day.
      const due = this.day + 1 + this.rng.int(5);
      const tick =
        due <= last
          ? this.dayTargets[due - 1] + this.rng.next() * (this.dayTargets[due] - this.dayTargets[due - 1])
          : AFTER_END_TICK + due;
      for (const event of events) this.hold(tick, { event, resend: false });
      this.buffer = [];
    } else {
      this.buffer = events;
    }
    this.cursor = 0;
  }

  private startDay(day: number): void {
    this.day = day;
    this.dayStartMs = this.plan.startMs + day * MS_PER_DAY;
    const pop = this.population;
    let size = 0;
    let sum = 0;
    for (let u = 0; u < pop.size; u++) {
      if (pop.isActive(u, day)) {
        sum += pop.weight[u];
        this.poolUsers[size] = u;
        this.poolCum[size++] = sum;
      }
    }
    if (size === 0) {
      // Nobody scheduled today (a tiny fleet): anyone who has joined may still open the app.
      for (let u = 0; u < pop.size; u++) {
        if (pop.joinDay[u] <= day) {
          sum += pop.weight[u];
          this.poolUsers[size] = u;
          this.poolCum[size++] = sum;
        }
      }
    }
    this.poolSize = size;

    // Features released by today, ramping up to full popularity over their first weeks.
    let count = 0;
    let featureSum = 0;
    this.plan.features.forEach((f, i) => {
      if (f.releaseIndex > day) return;
      featureSum += f.weight * Math.min(1, (day - f.releaseIndex + 1) / FEATURE_RAMP_DAYS);
      this.featureIndex[count] = i;
      this.featureCum[count++] = featureSum;
    });
    this.featureCount = count;
  }

  private buildSession(u: number): FleetEvent[] {
    const rng = this.rng;
    const pop = this.population;
    const s = this.session;
    const day = this.day;
    const os = OS_PROFILES[pop.os[u]];
    const country = COUNTRIES[pop.country[u]];
    const license = pop.licenseTypeIndex(u, day);
    const versionIndex = pop.versionIndex(u, day, this.releaseDays);
    const sessionNumber = ++pop.sessions[u];

    s.productId = this.plan.products[pop.product[u]];
    s.userId = 'u-' + String(pop.localIndex[u]).padStart(pop.idWidth, '0');
    s.sessionId = s.userId + '-s' + sessionNumber;
    s.seq = 0;
    s.appVersion = this.versionNames[versionIndex];
    s.os = os.name;
    s.osVersion = os.versions[pop.osVersion[u]];
    s.country = country.code;
    s.licenseType = LICENSE_TYPES[license];
    s.licenseId =
      license === LICENSE_TRIAL
        ? undefined
        : license === LICENSE_ENTERPRISE
          ? 'E-' + String(pop.licenseNumber[u]).padStart(5, '0')
          : 'S-' + String(pop.licenseNumber[u]).padStart(6, '0');
    s.offsetMinutes = pop.localOffset[u] ? country.offsetMinutes : Number.NaN;
    s.ip = versionIndex === 0 && rng.next() < LEGACY_IP_RATE ? '203.0.113.' + rng.int(255) : undefined;

    // First the shape and timing (so a session on the last day can be kept inside it), then the events.
    const body = Math.min(MAX_BODY_EVENTS, rng.geometric(MEAN_BODY_EVENTS));
    const crashRate =
      versionIndex === this.badVersionIndex ? BASE_SESSION_CRASH_RATE * BAD_VERSION_CRASH_MULTIPLIER : BASE_SESSION_CRASH_RATE;
    const crashAfter = rng.next() < crashRate ? rng.int(body + 1) : -1;
    const bodyCount = crashAfter >= 0 ? crashAfter : body;
    const startup = round1(rng.logNormal(os.startup.median, os.startup.sigma));
    const offsets = this.offsets;
    offsets[0] = 0;
    offsets[1] = Math.round(startup);
    let t = offsets[1];
    for (let i = 0; i <= bodyCount; i++) {
      t += 1 + Math.round(rng.exponential(MEAN_EVENT_GAP_MS));
      offsets[2 + i] = t;
    }
    const duration = t;
    const hour = rng.weightedIndex(DIURNAL_CUM);
    const localMs = hour * 3_600_000 + rng.int(3_600_000);
    let startOfDayMs = mod(localMs - country.offsetMinutes * 60_000, MS_PER_DAY);
    if (day === this.plan.days - 1 && startOfDayMs + duration >= MS_PER_DAY) {
      // Nothing after the last day: the benchmark's "today" must not see tomorrow's events.
      startOfDayMs = Math.max(0, MS_PER_DAY - 1 - duration);
    }
    const t0 = this.dayStartMs + startOfDayMs;

    const events: FleetEvent[] = [];
    const firstRun = sessionNumber === 1;
    events.push(
      this.event(
        'session_start',
        t0,
        undefined,
        undefined,
        firstRun ? { screen: SCREENS[u % SCREENS.length], locale: LOCALES[pop.country[u] % LOCALES.length] } : undefined,
      ),
    );
    events.push(
      this.event('performance', t0 + offsets[1], 'startup', startup, firstRun ? { coldStart: true } : undefined),
    );
    for (let i = 0; i < bodyCount; i++) {
      events.push(this.bodyEvent(t0 + offsets[2 + i], os));
    }
    const endMs = t0 + offsets[2 + bodyCount];
    if (crashAfter >= 0) {
      this.stats.crashedSessions++;
      const name =
        versionIndex === this.badVersionIndex && rng.next() < 0.7 ? BAD_VERSION_CRASH : rng.pick(CRASH_TYPES);
      events.push(this.event('crash', endMs, name, undefined, { uptimeMs: duration }));
    } else {
      events.push(this.event('session_end', endMs, undefined, duration, undefined));
    }
    return events;
  }

  private bodyEvent(ms: number, os: OsProfile): FleetEvent {
    const rng = this.rng;
    const r = rng.next();
    if (r < MIX_FEATURE) {
      const feature = this.plan.features[this.featureIndex[rng.weightedIndex(this.featureCum, this.featureCount)]];
      const props = rng.next() < 0.25 ? { source: FEATURE_SOURCES[rng.int(FEATURE_SOURCES.length)] } : undefined;
      return this.event('feature_used', ms, feature.name, undefined, props);
    }
    if (r < MIX_INTERACTION) {
      return this.event('interaction', ms, INTERACTION_TARGETS[rng.int(INTERACTION_TARGETS.length)], undefined, undefined);
    }
    if (r < MIX_RESPONSE) {
      return this.event('performance', ms, 'response', round1(rng.logNormal(os.response.median, os.response.sigma)), undefined);
    }
    const name = rng.next() < LEAKY_ERROR_RATE ? rng.pick(LEAKY_ERROR_NAMES) : rng.pick(ERROR_TYPES);
    return this.event('error', ms, name, undefined, { recoverable: rng.next() < 0.8, code: 1000 + rng.int(64) });
  }

  private event(
    type: EventType,
    ms: number,
    name: string | undefined,
    value: number | undefined,
    properties: Record<string, PropertyValue> | undefined,
  ): FleetEvent {
    const s = this.session;
    // One literal with the always-present fields keeps them in-object (one allocation, one shape);
    // the optional ones follow only when present, as a real SDK omits them.
    const e: FleetEvent = {
      eventId: s.sessionId + SEQ_SUFFIX[++s.seq],
      timestamp: Number.isNaN(s.offsetMinutes) ? this.format.utc(ms) : this.format.withOffset(ms, s.offsetMinutes),
      type,
      productId: s.productId,
      userId: s.userId,
      sessionId: s.sessionId,
      appVersion: s.appVersion,
      os: s.os,
      osVersion: s.osVersion,
      country: s.country,
      licenseType: s.licenseType,
    };
    if (name !== undefined) e.name = name;
    if (value !== undefined) e.value = value;
    if (s.licenseId !== undefined) e.licenseId = s.licenseId;
    if (properties !== undefined) e.properties = properties;
    if (s.ip !== undefined) e.ip = s.ip;
    return e;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
