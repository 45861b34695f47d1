/**
 * Structured JSON logging: one object per line on stdout. The same shape as the engine's
 * EngineLogger, so one logger serves both. Callers pass facts as fields; never event contents,
 * tokens or secrets.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * A logger that writes `{"time","level","msg",...fields}` lines.
 *
 * @example
 * const logger = createJsonLogger();
 * logger.info('request', { method: 'POST', path: '/v1/events', status: 200, durationMs: 3.1 });
 */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
  clock: () => number = Date.now,
): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    let line: string;
    try {
      line = JSON.stringify({ time: new Date(clock()).toISOString(), level, msg, ...fields });
    } catch {
      // A field that cannot be serialized (a cycle, a BigInt) must not lose the line.
      line = JSON.stringify({ time: new Date(clock()).toISOString(), level, msg, fieldsError: 'unserializable fields' });
    }
    write(line + '\n');
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** What a log line may say about an error: its class, code and message, and the stack for us only. */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { errorName: err.name, errorCode: typeof code === 'string' ? code : undefined, errorMessage: err.message, stack: err.stack };
  }
  return { errorMessage: String(err) };
}
