import type { Logger } from './logger.ts';

/** A logger that adds `fields` to every line (e.g. `{ component: 'engine' }`). */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    info: (m, f) => logger.info(m, { ...fields, ...f }),
    warn: (m, f) => logger.warn(m, { ...fields, ...f }),
    error: (m, f) => logger.error(m, { ...fields, ...f }),
  };
}
