import { request as httpRequest } from 'node:http';

export interface SlowRequest {
  /** Sends the rest of the body; resolves with the answer. */
  finish(): Promise<{ status: number; body: string }>;
}

/**
 * Starts a POST whose body is sent in two parts, and resolves once the server has parsed the
 * request head and is reading the body (it answered `100 Continue` to `Expect: 100-continue`),
 * so the request is in flight for certain.
 */
export function startSlowPost(url: string, headers: Record<string, string>, body: string): Promise<SlowRequest> {
  const u = new URL(url);
  return new Promise((admitted, reject) => {
    let answer!: Promise<{ status: number; body: string }>;
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
    });
    answer = new Promise((resolve, fail) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', fail);
    });
    answer.catch(reject);
    req.on('continue', () => {
      req.write(body.slice(0, 10));
      admitted({
        finish: () => {
          req.end(body.slice(10));
          return answer;
        },
      });
    });
    req.flushHeaders();
  });
}
