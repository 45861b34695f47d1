import { fileURLToPath } from 'node:url';

/** The repository root (benchmarks/src/runner/ is three levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * One line for a report: class, stable code when the error has one, message, and the first stack
 * frame inside the repository (where an engine "not implemented yet" was thrown).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  // Multi-line messages (a child's output) are folded onto one line and capped.
  const message = err.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' | ');
  let text = `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${message.length > 600 ? message.slice(0, 600) + '…' : message}`;
  const frame = err.stack
    ?.split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => /\/(packages|benchmarks)\//.test(l) && !l.includes('node_modules') && !l.includes('/runner/'));
  if (frame) text += ` (at ${frame.replace(/^at /, '').replace('file://', '').replaceAll(REPO_ROOT, '')})`;
  return text;
}
