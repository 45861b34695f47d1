import {
  CLOCK_SKEW_TOLERANCE_MS,
  type IngestResult,
  type Rejection,
  type ValidatedEvent,
  validateEvent,
} from '@telemetry/schema';
import type { Pseudonymizer } from './pseudonymizer.ts';

export interface EncodedBatch {
  /** CSV lines for the append log, one per accepted event (RAW_COLUMNS in order, ts in ms). */
  readonly lines: string;
  readonly result: IngestResult;
}

export interface EncodeContext {
  readonly nowMs: number;
  readonly oldestAllowedMs: number;
  readonly pseudonymizer: Pseudonymizer;
  readonly sentAt?: string;
}

/**
 * How far to shift a batch's timestamps for a client clock that is off: ingest.md shifts by
 * (receive time − sentAt) when they differ by more than 60 s, so a device with a wrong clock still
 * lands on the right day. An unparsable sentAt is ignored rather than failing the batch.
 */
export function clockShiftMs(sentAt: string | undefined, nowMs: number): number {
  if (!sentAt) return 0;
  const sent = Date.parse(sentAt);
  if (Number.isNaN(sent)) return 0;
  const diff = nowMs - sent;
  return Math.abs(diff) > CLOCK_SKEW_TOLERANCE_MS ? diff : 0;
}

/**
 * Validates, scrubs and pseudonymizes one batch and encodes the accepted events as log lines.
 * Raw userId/licenseId never leave this function: only their keyed hashes are encoded.
 */
export function encodeBatch(events: readonly unknown[], ctx: EncodeContext): EncodedBatch {
  const shiftMs = clockShiftMs(ctx.sentAt, ctx.nowMs);
  const vctx = { nowMs: ctx.nowMs, oldestAllowedMs: ctx.oldestAllowedMs, shiftMs };
  const rejected: Rejection[] = [];
  // eventIds seen in this batch, per product (a batch rarely holds more than one product, so this
  // avoids building a composite key string per event).
  const seen = new Map<string, Set<string>>();
  let droppedFields = 0;
  let accepted = 0;
  let lines = '';
  for (let i = 0; i < events.length; i++) {
    const v = validateEvent(events[i], vctx);
    if (!v.ok) {
      rejected.push({ index: i, code: v.code, message: v.message, field: v.field });
      continue;
    }
    const e = v.event;
    let ids = seen.get(e.productId);
    if (ids === undefined) seen.set(e.productId, (ids = new Set()));
    if (ids.has(e.eventId)) {
      rejected.push({
        index: i,
        code: 'duplicate_in_batch',
        message: `eventId ${JSON.stringify(e.eventId)} of product ${e.productId} appears earlier in this batch`,
        field: 'eventId',
      });
      continue;
    }
    ids.add(e.eventId);
    droppedFields += v.droppedFields;
    lines += encodeLine(e, ctx.pseudonymizer);
    accepted++;
  }
  return {
    lines,
    result: { telemetryEnabled: true, accepted, rejected, droppedFields, duplicate: false },
  };
}

const NEEDS_QUOTES = /[",\n\r]/;

/** A CSV field: empty for null (validation guarantees stored strings are never empty). */
function csv(s: string | null): string {
  if (s === null) return '';
  return NEEDS_QUOTES.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

/**
 * One log line: the RAW_COLUMNS in order, as CSV. CSV rather than JSON because it is about half the
 * bytes to fsync, builds faster in JS, and DuckDB's parallel CSV reader loads it faster than JSON.
 */
function encodeLine(e: ValidatedEvent, p: Pseudonymizer): string {
  return `${csv(e.eventId)},${csv(e.productId)},${e.timestampMs},${e.type},${p.pseudonym(e.userId)},${csv(e.sessionId)},${csv(e.name)},${
    e.value === null ? '' : e.value
  },${csv(e.appVersion)},${csv(e.os)},${csv(e.osVersion)},${e.country},${
    e.licenseId === null ? '' : p.pseudonym(licenseKey(e.licenseId))
  },${csv(e.licenseType)},${e.properties === null ? '' : csv(JSON.stringify(e.properties))}\n`;
}

/** The pseudonym input for a license id: namespaced so a license and a user with the same id differ. */
export function licenseKey(licenseId: string): string {
  return 'license\u001f' + licenseId;
}
