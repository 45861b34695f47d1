/**
 * The body forms of `POST /v1/events` (ingest.md, "Endpoint"): a JSON array of events,
 * `{"events": [...], "sentAt"?: "..."}`, or NDJSON. Shared by the API and the engine's encoder
 * workers, which parse request bodies off the main thread.
 */
/** No Node-only APIs here: the dashboard's browser build imports this package. */
const utf8 = new TextDecoder('utf-8');

/** A batch as read from a request body (ingest.md, "Endpoint"). */
export interface EventsBody {
  readonly events: unknown[];
  /** The `{"events": [...], "sentAt": "..."}` form's send time. */
  readonly sentAt?: string;
}

/** The body is not JSON or NDJSON of event objects: 400 `invalid_body`. */
export class InvalidBodyError extends Error {
  readonly code = 'invalid_body';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBodyError';
  }
}

/** More events than a batch may hold: 413, nothing stored. */
export class TooManyEventsError extends Error {
  readonly code = 'too_many_events';
  constructor(readonly maxEvents: number) {
    super(`a batch may hold at most ${maxEvents} events`);
    this.name = 'TooManyEventsError';
  }
}

const NDJSON_TYPES: ReadonlySet<string> = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

/** Whether the Content-Type names NDJSON (a JSON document otherwise, whatever the type says). */
export function isNdjson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return NDJSON_TYPES.has(contentType.split(';', 1)[0].trim().toLowerCase());
}

/**
 * Parses a batch: a JSON array of events, `{"events": [...], "sentAt"?: "..."}`, or NDJSON (one
 * event per line, blank lines ignored). The only per-event work is the object check; everything
 * else is the engine's. Throws InvalidBodyError or TooManyEventsError.
 *
 * @example
 * parseEventsBody(Buffer.from('[{"eventId":"e1"}]'), 'application/json', 10_000) // => { events: [{ eventId: 'e1' }] }
 */
export function parseEventsBody(body: Uint8Array | string | undefined, contentType: string | undefined, maxEvents: number): EventsBody {
  if (body === undefined || body.length === 0) throw new InvalidBodyError('the body is empty; send a JSON array of events, {"events": [...]}, or NDJSON');
  let text = typeof body === 'string' ? body : utf8.decode(body);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = isNdjson(contentType) ? parseNdjson(text, maxEvents) : parseJsonDocument(text);
  if (parsed.events.length > maxEvents) throw new TooManyEventsError(maxEvents);
  assertObjects(parsed.events);
  return parsed;
}

function parseJsonDocument(text: string): EventsBody {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidBodyError(`the body is not valid JSON (${(err as Error).message}); send a JSON array of events, {"events": [...]}, or NDJSON with Content-Type application/x-ndjson`);
  }
  if (Array.isArray(doc)) return { events: doc };
  if (typeof doc === 'object' && doc !== null) {
    const { events, sentAt } = doc as { events?: unknown; sentAt?: unknown };
    if (!Array.isArray(events)) throw new InvalidBodyError('the body object must have an "events" array');
    if (sentAt !== undefined && sentAt !== null && typeof sentAt !== 'string') throw new InvalidBodyError('"sentAt" must be an RFC 3339 date-time string');
    return typeof sentAt === 'string' ? { events, sentAt } : { events };
  }
  throw new InvalidBodyError('the body must be a JSON array of events or an object {"events": [...]}');
}

function parseNdjson(text: string, maxEvents: number): EventsBody {
  const events: unknown[] = [];
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const row = text.slice(start, end);
    start = end + 1;
    if (row.trim().length === 0) continue;
    // Stop parsing once over the limit: the answer is 413 whatever the remaining lines hold.
    if (events.length === maxEvents) throw new TooManyEventsError(maxEvents);
    try {
      events.push(JSON.parse(row));
    } catch (err) {
      throw new InvalidBodyError(`NDJSON line ${line} is not valid JSON (${(err as Error).message})`);
    }
  }
  return { events };
}

function assertObjects(events: readonly unknown[]): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new InvalidBodyError(`events[${i}] is not a JSON object`);
  }
}
