import type { TelemetryEventInput } from '@telemetry/schema';
import type { SeededRandom } from './rng.ts';

/** An object that breaks the ingest contract in one way; what a buggy or hostile client sends. */
export type MalformedEvent = Record<string, unknown>;

const REQUIRED = ['eventId', 'timestamp', 'type', 'productId', 'userId', 'sessionId'] as const;
const BAD_COUNTRIES = ['Germany', 'de', 'USA', '1', 'XXX'];
const BAD_TIMESTAMPS = ['yesterday', '2024-13-45T25:61:00Z', '1700000000', '2025-03-01 10:00:00', ''];
const BAD_TYPES = ['click', 'SESSION_START', 'pageview', ''];

/**
 * A copy of `event` broken in one of the ways ingest.md rejects: a missing required field (or a
 * missing name where its type needs one), an unknown type, a negative or non-numeric value, a bad
 * country, an unparseable timestamp, a non-string id, a product id outside `[A-Za-z0-9._-]`.
 */
export function corruptEvent(event: TelemetryEventInput, rng: SeededRandom): MalformedEvent {
  const bad: MalformedEvent = { ...event };
  switch (rng.int(8)) {
    case 0:
      delete bad[rng.pick(REQUIRED)];
      break;
    case 1:
      bad.type = rng.pick(BAD_TYPES);
      break;
    case 2:
      bad.value = -1 - rng.int(1000);
      break;
    case 3:
      bad.country = rng.pick(BAD_COUNTRIES);
      break;
    case 4:
      bad.timestamp = rng.pick(BAD_TIMESTAMPS);
      break;
    case 5:
      if (rng.chance(0.5)) bad.userId = 100_000 + rng.int(900_000);
      else bad.value = String(rng.int(5000));
      break;
    case 6:
      bad.productId = 'my product!';
      break;
    default:
      // A name-requiring type without its name.
      bad.type = 'feature_used';
      delete bad.name;
      break;
  }
  return bad;
}
