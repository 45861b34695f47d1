import type { TelemetryEngineApi } from '@telemetry/engine';
import type { RequestLogFields } from '../http/request-log.ts';

/** What every resolver gets: the engine, the caller's role (after authentication), its log fields. */
export interface ApiContext {
  readonly engine: TelemetryEngineApi;
  readonly role: 'admin' | 'viewer';
  /** Fields for this request's log line (the operation name). */
  readonly log: RequestLogFields;
}
