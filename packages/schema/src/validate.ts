// STUB: replaced by the schema helper. Signature is the contract.
import type { RejectionCode, ValidatedEvent } from './event.ts';

export interface ValidationContext {
  /** Server receive time, ms since epoch (after any sentAt skew shift has been decided). */
  readonly nowMs: number;
  /** Events older than this (ms) are `timestamp_too_old` (start of the oldest kept UTC day). */
  readonly oldestAllowedMs: number;
  /** Added to every event's timestamp before the checks (clock-skew correction), default 0. */
  readonly shiftMs?: number;
}

export type EventValidation =
  | { readonly ok: true; readonly event: ValidatedEvent; readonly droppedFields: number }
  | { readonly ok: false; readonly code: RejectionCode; readonly field: string; readonly message: string };

export function validateEvent(_input: unknown, _ctx: ValidationContext): EventValidation {
  throw new Error('not implemented');
}
