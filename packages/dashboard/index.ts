import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built dashboard (`vite build` output): serve it as static files at `/`. */
export const dashboardDistDir: string = fileURLToPath(new URL('./dist/', import.meta.url));

/**
 * Whether `dashboardDistDir` holds a build. The build runs at `npm install` (this package's `prepare`)
 * and with `npm run build:dashboard`; a server may log that hint when this is false.
 *
 * @example
 * if (!isDashboardBuilt()) logger.warn('dashboard not built: run npm run build:dashboard');
 * app.use(express.static(dashboardDistDir));
 */
export function isDashboardBuilt(): boolean {
  return existsSync(new URL('./dist/index.html', import.meta.url));
}
