/** Seeded, realistic-enough telemetry events for the end-to-end tests. */

export interface EventOptions {
  /** Instant of the first event (ms); events are spread over `spreadMs` after it. */
  readonly startMs: number;
  readonly spreadMs?: number;
  readonly productId?: string;
  readonly users?: number;
  /** Every n-th event is a crash (0: none). */
  readonly crashEvery?: number;
  readonly idPrefix?: string;
}

/** A small deterministic PRNG (mulberry32), so every failure reproduces. */
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

const OSES = ['windows', 'macos', 'linux'];
const COUNTRIES = ['DE', 'US', 'FR', 'JP'];
const FEATURES = ['export_pdf', 'dark_mode', 'sync'];

/**
 * `count` events numbered from `first`: session_start, feature_used, performance and crash events
 * (every `crashEvery`-th), each with a unique eventId.
 */
export function makeEvents(first: number, count: number, options: EventOptions): Record<string, unknown>[] {
  const random = rng(first * 7919 + count);
  const users = options.users ?? 20;
  const spread = options.spreadMs ?? 3_600_000;
  const out: Record<string, unknown>[] = [];
  for (let i = first; i < first + count; i++) {
    const user = i % users;
    const crash = options.crashEvery ? i % options.crashEvery === 0 : false;
    const kind = crash ? 'crash' : (['session_start', 'feature_used', 'performance'] as const)[i % 3];
    const event: Record<string, unknown> = {
      eventId: `${options.idPrefix ?? 'e'}${i}`,
      timestamp: new Date(options.startMs + Math.floor(random() * spread)).toISOString(),
      type: kind,
      productId: options.productId ?? 'app',
      userId: `user-${user}`,
      sessionId: `session-${user}-${Math.floor(i / 50)}`,
      appVersion: `1.${user % 3}.0`,
      os: OSES[user % OSES.length],
      country: COUNTRIES[user % COUNTRIES.length],
      licenseId: `lic-${user % 5}`,
      licenseType: user % 2 ? 'pro' : 'free',
    };
    if (kind === 'feature_used') event.name = FEATURES[Math.floor(i / 3) % FEATURES.length];
    if (kind === 'performance') {
      event.name = 'startup';
      event.value = Math.round(100 + random() * 900);
    }
    if (kind === 'crash') event.name = 'NullPointerException';
    out.push(event);
  }
  return out;
}
