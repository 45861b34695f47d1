/**
 * The HTTP ingest client of bench.md, run as its own process (forked by stages/http-ingest.ts) so
 * that building and sending requests does not share a heap or an event loop with the server.
 *
 * It first turns the fleet's NDJSON into JSON-array bodies of `batchSize` events (not timed), says
 * `ready`, waits for `go`, then posts them over `connections` keep-alive connections, each
 * connection one request at a time, until every body has a 200. 429/503 are retried after
 * Retry-After (the server's back-pressure); any other answer fails the run.
 */
import { Agent, request } from 'node:http';
import { open } from 'node:fs/promises';
import { percentile } from '../../stats.ts';
import type { ClientConfig, ClientMessage, ClientResult, ParentMessage } from './protocol.ts';

const NL = 0x0a;
const COMMA = 0x2c;
const CHUNK_BYTES = 64 * 1024 * 1024;

function send(message: ClientMessage): void {
  process.send!(message);
}

/** Splits NDJSON into `[e1,e2,...]` bodies of `batchSize` lines, reading the file in large chunks. */
async function buildBodies(path: string, batchSize: number): Promise<{ bodies: Buffer[]; counts: number[] }> {
  const bodies: Buffer[] = [];
  const counts: number[] = [];
  const file = await open(path, 'r');
  let carry = Buffer.alloc(0);
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const emit = (region: Buffer, lines: number): void => {
    // '[' + lines with every '\n' but the last turned into ',' + ']' (the last '\n' becomes ']').
    const body = Buffer.allocUnsafe(region.length + 1);
    body[0] = 0x5b;
    region.copy(body, 1);
    let at = 1;
    for (;;) {
      const nl = body.indexOf(NL, at);
      if (nl < 0) break;
      body[nl] = COMMA;
      at = nl + 1;
    }
    body[body.length - 1] = 0x5d;
    bodies.push(body);
    counts.push(lines);
  };
  try {
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      const data = bytesRead > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : carry;
      let start = 0;
      let pos = 0;
      let lines = 0;
      for (;;) {
        const nl = data.indexOf(NL, pos);
        if (nl < 0) break;
        pos = nl + 1;
        if (++lines === batchSize) {
          emit(data.subarray(start, pos), lines);
          start = pos;
          lines = 0;
        }
      }
      if (bytesRead === 0) {
        if (pos > start) emit(data.subarray(start, pos), lines);
        break;
      }
      carry = Buffer.from(data.subarray(start)); // a copy, so the 64 MB `data` is not kept alive by a slice
    }
  } finally {
    await file.close();
  }
  return { bodies, counts };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | undefined;
}

function post(agent: Agent, url: URL, key: string, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/v1/events',
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as ClientConfig;
  const prepareStart = performance.now();
  const { bodies, counts } = await buildBodies(config.ndjsonPath, config.batchSize);
  const events = counts.reduce((a, n) => a + n, 0);
  send({
    type: 'ready',
    bodies: bodies.length,
    events,
    bytes: bodies.reduce((a, b) => a + b.length, 0),
    prepareMs: performance.now() - prepareStart,
  });
  await new Promise<void>((resolve) => process.once('message', (m: ParentMessage) => m.type === 'go' && resolve()));

  const url = new URL(config.url);
  const agent = new Agent({ keepAlive: true, maxSockets: config.connections });
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  let accepted = 0;
  let rejected = 0;
  let retries = 0;
  let lastProgress = performance.now();
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const t = performance.now();
      for (;;) {
        const answer = await post(agent, url, config.ingestKey, bodies[i]!);
        if (answer.status === 200) {
          const result = JSON.parse(answer.body) as { accepted: number; rejected: unknown[] };
          accepted += result.accepted;
          rejected += result.rejected.length;
          break;
        }
        if (answer.status === 429 || answer.status === 503) {
          retries++;
          const seconds = Number(answer.retryAfter ?? 1);
          await new Promise((r) => setTimeout(r, Math.max(0.05, Number.isFinite(seconds) ? seconds : 1) * 1000));
          continue;
        }
        throw new Error(`POST /v1/events answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      }
      latencies.push(performance.now() - t);
      done += counts[i]!;
      bodies[i] = Buffer.alloc(0); // sent: let it go
      if (performance.now() - lastProgress > 1000) {
        lastProgress = performance.now();
        send({ type: 'progress', events: done });
      }
    }
  };
  await Promise.all(Array.from({ length: config.connections }, worker));
  const ackMs = performance.now() - started;
  agent.destroy();
  const result: ClientResult = {
    requests: latencies.length,
    events: done,
    accepted,
    rejected,
    retries,
    ackMs,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
    latencyP99Ms: percentile(latencies, 0.99),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  send({ type: 'done', result });
}

main().then(
  () => process.disconnect?.(),
  (err: unknown) => {
    send({ type: 'failed', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    process.disconnect?.();
    process.exitCode = 1;
  },
);
