/**
 * A seeded telemetry fleet for the metric tests: several products, app versions (with upgrades),
 * OSes, countries and license types (trials converting); sessions that cross midnight; timestamps
 * written with UTC offsets; late sessions (arriving days later), re-sent duplicates and malformed
 * events; features released mid-range. Events come grouped in arrival batches, in arrival order.
 */
export interface WireEvent {
  eventId?: unknown;
  timestamp?: unknown;
  type?: unknown;
  productId?: unknown;
  userId?: unknown;
  sessionId?: unknown;
  name?: unknown;
  value?: unknown;
  appVersion?: unknown;
  os?: unknown;
  country?: unknown;
  licenseType?: unknown;
  licenseId?: unknown;
}

export interface Dataset {
  readonly today: string;
  readonly firstDay: string;
  readonly batches: readonly WireEvent[][];
  readonly products: readonly string[];
  readonly features: readonly string[];
  readonly metrics: readonly string[];
}

export interface DatasetOptions {
  readonly seed?: number;
  readonly days?: number;
  readonly users?: number;
  readonly today?: string;
  /** Arrival days folded into one pair of batches. Default 6. */
  readonly daysPerBatch?: number;
}

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const PRODUCTS = ['alpha', 'beta.app', 'gamma-cli'];
const OSES = ['windows', 'macos', 'linux'];
const COUNTRIES = ['US', 'DE', 'JP', 'IN', 'BR'];
const OFFSETS = [0, 330, -480, 60, 540, -300];
const FEATURES = ['open', 'save', 'search', 'export_pdf', 'share', 'dark_mode', 'ai_assist', 'timeline'];
const METRICS = ['startup', 'response'];

export function generateDataset(options: DatasetOptions = {}): Dataset {
  const rand = rng(options.seed ?? 7);
  const days = options.days ?? 60;
  const today = options.today ?? '2025-03-20';
  const endMs = Date.parse(`${today}T00:00:00Z`);
  const startMs = endMs - (days - 1) * DAY_MS;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const versions = ['1.0', '1.1', '2.0'];
  const versionRelease = [0, Math.floor(days * 0.35), Math.floor(days * 0.7)];
  const featureRelease = FEATURES.map((_, i) => (i < 5 ? 0 : Math.floor(days * (0.3 + 0.15 * (i - 5)))));

  // Arrival day index -> events arriving that day (a batch or two per day).
  const arrivals = new Map<number, WireEvent[]>();
  const arrive = (day: number, e: WireEvent): void => {
    const list = arrivals.get(day) ?? [];
    list.push(e);
    arrivals.set(day, list);
  };
  const sent: WireEvent[] = [];

  const nUsers = options.users ?? 160;
  for (let u = 0; u < nUsers; u++) {
    const product = PRODUCTS[u % 3 === 0 ? 0 : u % 3 === 1 && rand() < 0.7 ? 1 : 2];
    const userId = `user-${u}-${Math.floor(rand() * 1e6)}`;
    const os = pick(OSES);
    const country = pick(COUNTRIES);
    const offset = rand() < 0.3 ? pick(OFFSETS) : 0;
    let license = rand() < 0.4 ? 'trial' : rand() < 0.7 ? 'standard' : 'enterprise';
    const start = Math.floor(rand() * days * 0.8) - 5;
    const life = 5 + Math.floor(rand() * days);
    const comeback = rand() < 0.15 ? start + life + 5 + Math.floor(rand() * 10) : null;
    const activity = 0.2 + rand() * 0.6;
    const lag = Math.floor(rand() * 6);
    const offline = rand() < 0.1;
    let sessionNo = 0;
    for (let d = Math.max(0, start); d < days; d++) {
      const alive = d < start + life || (comeback !== null && d >= comeback && d < comeback + 8);
      if (!alive || rand() > activity) continue;
      if (license === 'trial' && d - start > 14 && rand() < 0.3) license = 'standard';
      let vi = 0;
      for (let i = 0; i < versions.length; i++) if (d >= versionRelease[i] + lag) vi = i;
      const nSessions = 1 + (rand() < 0.3 ? 1 : 0);
      for (let s = 0; s < nSessions; s++) {
        const sessionId = `s${u}-${sessionNo++}`;
        // Some sessions start just before midnight UTC and run into the next day.
        const startSec = rand() < 0.12 ? 86_400 - 60 * (1 + Math.floor(rand() * 20)) : Math.floor(rand() * 80_000);
        let t = startMs + d * DAY_MS + startSec * 1000 + s * 7;
        const events: WireEvent[] = [];
        let n = 0;
        const base = (type: string, extra: Partial<WireEvent> = {}): WireEvent => ({
          eventId: `${sessionId}-${n++}`,
          timestamp: stamp(t, offset),
          type,
          productId: product,
          userId,
          sessionId,
          appVersion: versions[vi],
          os,
          country,
          licenseType: license,
          ...extra,
        });
        events.push(base('session_start'));
        t += 1000 + Math.floor(rand() * 4000);
        events.push(base('performance', { name: 'startup', value: Math.round(Math.exp(7 + rand() * 0.8 + (os === 'windows' ? 0.3 : 0)) * 10) / 10 }));
        const body = 2 + Math.floor(rand() * 10);
        for (let b = 0; b < body; b++) {
          t += 5000 + Math.floor(rand() * 60_000);
          const r = rand();
          if (r < 0.5) {
            const f = FEATURES.filter((_, i) => d >= featureRelease[i]);
            events.push(base('feature_used', { name: f[Math.floor(Math.pow(rand(), 1.7) * f.length)] }));
          } else if (r < 0.7) events.push(base('interaction', { name: pick(['menu.file', 'toolbar.save', 'tab.switch']) }));
          else if (r < 0.9) events.push(base('performance', { name: 'response', value: Math.round(Math.exp(4 + rand() * 1.5) * 100) / 100 }));
          else events.push(base('error', { name: pick(['Timeout', 'NotFound']) }));
        }
        if (rand() < (versions[vi] === '1.1' ? 0.15 : 0.03)) {
          t += 2000;
          events.push(base('crash', { name: 'NullReference' }));
        } else {
          t += 3000;
          events.push(base('session_end', { value: 1000 * body }));
        }
        const arrivalDay = offline || rand() < 0.05 ? d + 1 + Math.floor(rand() * 5) : Math.floor((t - startMs) / DAY_MS);
        for (const e of events) {
          arrive(Math.min(arrivalDay, days + 2), e);
          sent.push(e);
        }
      }
    }
  }

  // Re-sent duplicates (identical events, later) and malformed events.
  const dupRand = rng((options.seed ?? 7) + 1);
  for (const e of sent) {
    if (dupRand() < 0.01) arrive(Math.min(days + 2, dayIndexOf(e, startMs) + Math.floor(dupRand() * 4)), { ...e });
  }
  for (let i = 0; i < 40; i++) {
    const e = { ...sent[Math.floor(dupRand() * sent.length)], eventId: `bad-${i}` } as WireEvent;
    const kind = i % 5;
    if (kind === 0) delete e.userId;
    else if (kind === 1) e.type = 'exploded';
    else if (kind === 2) e.timestamp = 'yesterday';
    else if (kind === 3) Object.assign(e, { type: 'performance', name: 'startup', value: -5 });
    else e.productId = 'bad product!';
    arrive(Math.floor(dupRand() * days), e);
  }

  const batches: WireEvent[][] = [];
  const per = options.daysPerBatch ?? 6;
  const grouped = new Map<number, WireEvent[]>();
  for (const day of [...arrivals.keys()].sort((x, y) => x - y)) {
    const g = Math.floor(day / per);
    grouped.set(g, [...(grouped.get(g) ?? []), ...arrivals.get(day)!]);
  }
  for (const list of grouped.values()) {
    // Two batches per arrival day, split at a random point: a session's events may straddle them.
    const cut = Math.floor(list.length * (0.3 + 0.4 * rand()));
    batches.push(list.slice(0, cut), list.slice(cut));
  }
  return {
    today,
    firstDay: new Date(startMs).toISOString().slice(0, 10),
    batches: batches.filter((b) => b.length > 0),
    products: PRODUCTS,
    features: FEATURES,
    metrics: METRICS,
  };
}

function dayIndexOf(e: WireEvent, startMs: number): number {
  return Math.floor((Date.parse(String(e.timestamp)) - startMs) / DAY_MS);
}

/** RFC 3339 with the user's UTC offset (minutes), e.g. 2025-03-01T01:10:00.000+05:30. */
function stamp(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An event as the engine stores it (after validation; ids still raw: the harness hashes them). */
export interface ValidEvent {
  readonly eventId: string;
  readonly tsMs: number;
  readonly day: string;
  readonly type: string;
  readonly productId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly name: string | null;
  readonly value: number | null;
  readonly appVersion: string;
  readonly os: string;
  readonly country: string;
  readonly licenseType: string;
}

const TYPES = new Set(['session_start', 'session_end', 'feature_used', 'performance', 'crash', 'error', 'interaction']);
const NAMED = new Set(['feature_used', 'performance', 'crash', 'error', 'interaction']);

/** The ingest contract's checks, enough for the generated data (the real validator lives in schema). */
export function acceptEvent(e: WireEvent): ValidEvent | null {
  const str = (v: unknown, max: number) => typeof v === 'string' && v.length >= 1 && v.length <= max;
  if (!str(e.eventId, 64) || !str(e.userId, 128) || !str(e.sessionId, 128)) return null;
  if (typeof e.productId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(e.productId)) return null;
  if (typeof e.type !== 'string' || !TYPES.has(e.type)) return null;
  const tsMs = typeof e.timestamp === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(e.timestamp) ? Date.parse(e.timestamp) : NaN;
  if (!Number.isFinite(tsMs)) return null;
  if (NAMED.has(e.type) && !str(e.name, 128)) return null;
  if (e.value !== undefined && (typeof e.value !== 'number' || !Number.isFinite(e.value) || e.value < 0)) return null;
  if (e.type === 'performance' && e.value === undefined) return null;
  return {
    eventId: e.eventId as string,
    tsMs,
    day: new Date(tsMs).toISOString().slice(0, 10),
    type: e.type,
    productId: e.productId,
    userId: e.userId as string,
    sessionId: e.sessionId as string,
    name: (e.name as string | undefined) ?? null,
    value: (e.value as number | undefined) ?? null,
    appVersion: (e.appVersion as string | undefined) ?? 'unknown',
    os: (e.os as string | undefined) ?? 'unknown',
    country: (e.country as string | undefined) ?? 'ZZ',
    licenseType: (e.licenseType as string | undefined) ?? 'unknown',
  };
}

/** Every valid event once (first arrival of each product + eventId), in arrival order. */
export function storedEvents(batches: readonly (readonly WireEvent[])[]): ValidEvent[] {
  const seen = new Set<string>();
  const out: ValidEvent[] = [];
  for (const batch of batches) {
    for (const w of batch) {
      const e = acceptEvent(w);
      if (!e) continue;
      const key = `${e.productId}\u001f${e.eventId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}
