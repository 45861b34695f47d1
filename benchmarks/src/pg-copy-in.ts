import type { ClientBase, Submittable } from 'pg';

/**
 * `COPY ... FROM STDIN` over a node-postgres client without `pg-copy-streams` (not installed here):
 * a Submittable (the extension point `client.query` accepts) that answers the server's CopyInResponse
 * with the given chunks, then CopyDone. Data is in PostgreSQL's text COPY format (see `copyText`).
 * Resolves with the number of rows copied.
 */
export function copyIn(client: ClientBase, sql: string, chunks: readonly (Buffer | string)[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const submittable = {
      submit(connection: CopyConnection): void {
        connection.query(sql);
      },
      handleCopyInResponse(connection: CopyConnection): void {
        for (const chunk of chunks) connection.sendCopyFromChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        connection.endCopyFrom();
      },
      handleCommandComplete(msg: { text?: string }): void {
        const match = /(\d+)$/.exec(msg.text ?? '');
        rows = match ? Number(match[1]) : 0;
      },
      handleReadyForQuery(): void {
        resolve(rows);
      },
      handleError(err: Error): void {
        reject(err);
      },
      handleRowDescription(): void {},
      handleDataRow(): void {},
      handleEmptyQuery(): void {},
      handlePortalSuspended(): void {},
      handleCopyData(): void {},
    };
    client.query(submittable as unknown as Submittable);
  });
}

interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** A value in COPY text format: `\N` for null; backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
