import type { IngestResult } from '@telemetry/schema';

export interface SendOptions {
  /** A batch repeated with the same key within 7 days is answered as the first was. */
  readonly idempotencyKey?: string;
  /** The client's send time (RFC 3339), as the `X-Sent-At` header (or in the body with `sentAtInBody`). */
  readonly sentAt?: string;
  readonly sentAtInBody?: boolean;
  /** Send as NDJSON instead of a JSON array. */
  readonly ndjson?: boolean;
  /** Compress the body with gzip. */
  readonly gzip?: boolean;
}

/** The answer to one POST /v1/events. */
export type SendResult =
  | { readonly ok: true; readonly status: 200; readonly result: IngestResult }
  | {
      readonly ok: false;
      readonly status: number;
      readonly error: { readonly code: string; readonly message: string };
      /** Seconds from `Retry-After` (429/503), else null. */
      readonly retryAfterSeconds: number | null;
    };

export interface IngestClient {
  send(events: readonly unknown[], options?: SendOptions): Promise<SendResult>;
}

/**
 * A minimal sender for `POST /v1/events` (ingest.md), for tests, tools and benchmark clients.
 * Works in browsers and Node (gzip through CompressionStream).
 *
 * @example
 * const sender = createIngestClient('http://localhost:4000', ingestKey);
 * const answer = await sender.send(events, { idempotencyKey: batchId, gzip: true });
 */
export function createIngestClient(baseUrl: string, ingestKey: string, fetchImpl: typeof fetch = globalThis.fetch): IngestClient {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/events`;
  return {
    async send(events, options = {}) {
      const text = options.ndjson
        ? events.map((e) => JSON.stringify(e)).join('\n') + '\n'
        : JSON.stringify(options.sentAtInBody && options.sentAt ? { events, sentAt: options.sentAt } : events);
      const headers: Record<string, string> = {
        authorization: `Bearer ${ingestKey}`,
        'content-type': options.ndjson ? 'application/x-ndjson' : 'application/json',
      };
      if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
      if (options.sentAt && !options.sentAtInBody) headers['x-sent-at'] = options.sentAt;
      let body: BodyInit = text;
      if (options.gzip) {
        headers['content-encoding'] = 'gzip';
        body = await gzip(text);
      }
      const res = await fetchImpl(url, { method: 'POST', headers, body });
      const json = (await res.json().catch(() => null)) as unknown;
      if (res.status === 200) return { ok: true, status: 200, result: json as IngestResult };
      const error = (json as { error?: { code: string; message: string } } | null)?.error ?? { code: `http_${res.status}`, message: res.statusText };
      const retryAfter = res.headers.get('retry-after');
      return { ok: false, status: res.status, error, retryAfterSeconds: retryAfter === null ? null : Number(retryAfter) };
    },
  };
}

/** gzip through the web CompressionStream (Node 18+, browsers). */
export async function gzip(text: string | Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
