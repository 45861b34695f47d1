import { setTimeout as sleep } from 'node:timers/promises';
import type { TelemetryEngine } from '@telemetry/engine';
import type { Day } from '@telemetry/schema';
import { fleetBatches } from '../../generator.ts';
import { percentile } from '../../stats.ts';
import type { Stage } from '../run-state.ts';

/** The product the probe events belong to: no fleet product has this id, so its counts are the probes'. */
export const PROBE_PRODUCT = 'freshness-probe';

/** A probe every half second; the poller asks every 25 ms. */
const PROBE_EVERY_MS = 500;
const POLL_EVERY_MS = 25;

/**
 * `freshness.p95Ms`: metrics.md promises that the aggregates reflect an accepted event within 5 s of
 * its answer. On the engine the library stage filled (the full store: the per-entity state and the
 * aggregate tables at their largest), a steady stream of today's events runs at a fixed rate
 * (`--freshness-rate`, default 20,000 events/s: a busy fleet, well under the ingest ceiling) for
 * `--freshness-seconds` (default 20), while a probe event — one new user of PROBE_PRODUCT — is
 * ingested every half second. A poller asks `activeUsers` for today, filtered to that product, the
 * way a dashboard would (the public API, no peeking at the loader); a probe is visible once today's
 * DAU counts it. Lag = first poll that sees it − the moment `ingest` resolved (the 200 answer).
 */
export const freshnessStage: Stage = {
  name: 'freshness',
  blockedBy: (state) => (state.library ? null : 'needs the engine of library-ingest'),
  async run({ state, put, note, problem, log }) {
    const { engine } = state.library!;
    const { freshnessSeconds: seconds, freshnessEventsPerSec: eventsPerSec } = state.options;
    const today = state.plan.endDay;
    const clockMs = state.clockMs;

    // Today's traffic: a one-day fleet of its own (another seed), so its users and events are new.
    const batchSize = Math.max(1, Math.round((eventsPerSec * 50) / 1000)); // a batch every 50 ms
    const stream = fleetBatches({ seed: state.options.seed + 101, events: eventsPerSec * seconds, days: 1, endDay: today }, batchSize)[
      Symbol.iterator
    ]();

    const acked: number[] = []; // probe i acknowledged at acked[i] (performance.now())
    const seen: number[] = [];
    let probesSent = 0;
    let streamed = 0;
    let overloaded = 0;
    // Set when the stream or the probes fail: the poller then stops instead of outliving the stage.
    let failed = false;

    const probe = (i: number) => ({
      eventId: `probe-${i}`,
      timestamp: new Date(clockMs - 60_000).toISOString(),
      type: 'session_start',
      productId: PROBE_PRODUCT,
      userId: `probe-user-${i}`,
      sessionId: `probe-session-${i}`,
    });

    const t0 = performance.now();
    const streaming = (async () => {
      for (let k = 0; ; k++) {
        const due = t0 + k * 50;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() - t0 >= seconds * 1000) break;
        const next = stream.next();
        if (next.done) break;
        try {
          const r = await engine.ingest(next.value);
          streamed += r.accepted;
        } catch (err) {
          if ((err as { code?: string }).code === 'OVERLOADED') overloaded++;
          else throw err;
        }
      }
    })();
    const probing = (async () => {
      for (let i = 0; performance.now() - t0 < seconds * 1000; i++) {
        const due = t0 + i * PROBE_EVERY_MS + PROBE_EVERY_MS / 2;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        await engine.ingest([probe(i)]);
        acked[i] = performance.now();
        probesSent = i + 1;
      }
    })();
    const polling = (async () => {
      // Runs until every probe sent is visible, or 30 s after the stream ends.
      while (!failed) {
        const visible = await probeUsers(engine, today);
        const now = performance.now();
        for (let i = seen.length; i < Math.min(visible, probesSent); i++) seen[i] = now;
        const streamOver = performance.now() - t0 >= seconds * 1000;
        if (streamOver && seen.length >= probesSent && probesSent > 0) break;
        if (performance.now() - t0 > (seconds + 30) * 1000) break;
        await sleep(POLL_EVERY_MS);
      }
    })();
    polling.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    await Promise.all([streaming, probing]).catch((err) => {
      failed = true;
      throw err;
    });
    await polling;
    const elapsedSec = (performance.now() - t0) / 1000;

    const lags = seen.map((t, i) => t - acked[i]);
    const missing = probesSent - seen.length;
    put('freshness.probes', probesSent);
    put('freshness.offeredEventsPerSec', eventsPerSec);
    put('freshness.acceptedEventsPerSec', streamed / Math.min(elapsedSec, seconds));
    put('freshness.overloadedBatches', overloaded);
    if (lags.length > 0) {
      put('freshness.p50Ms', percentile(lags, 0.5));
      put('freshness.p95Ms', percentile(lags, 0.95));
      put('freshness.maxMs', Math.max(...lags));
    }
    if (missing > 0) problem('freshness', `${missing} of ${probesSent} probe events were not visible 30 s after the stream ended`);
    const worst = lags.length > 0 ? Math.max(...lags) : NaN;
    if (worst > 5_000) note(`freshness: a probe took ${(worst / 1000).toFixed(1)} s to show in activeUsers (metrics.md: within 5 s)`);
    log(`freshness: ${probesSent} probes, lag p50 ${percentile(lags, 0.5).toFixed(0)} ms, max ${worst.toFixed(0)} ms, stream ${Math.round(streamed / seconds)} events/s`);
  },
};

/** Today's DAU of the probe product, as a dashboard would ask for it (answer memo included). */
async function probeUsers(engine: TelemetryEngine, today: Day): Promise<number> {
  const points = await engine.activeUsers({ range: { from: today, to: today }, filter: { products: [PROBE_PRODUCT] } });
  return points[0]?.dau ?? 0;
}
