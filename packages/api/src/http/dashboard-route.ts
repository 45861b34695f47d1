import express, { Router } from 'express';
import type { Logger } from '../log/logger.ts';

export interface DashboardRouteOptions {
  /** The built dashboard (`@telemetry/dashboard`'s `dashboardDistDir`). */
  readonly distDir: string;
  readonly built: boolean;
  readonly logger: Logger;
}

/**
 * Serves the dashboard's static files at `/` (no token: the page itself signs in and sends the
 * token with every GraphQL call). Built assets have hashed names and are cached for a year;
 * `index.html` is revalidated so a new build is picked up at once.
 */
export function dashboardRouter({ distDir, built, logger }: DashboardRouteOptions): Router {
  const router = Router();
  if (!built) {
    logger.warn('dashboard not built: GET / answers 404; run npm run build:dashboard');
    return router;
  }
  router.use(
    express.static(distDir, {
      index: 'index.html',
      fallthrough: true,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders(res, path) {
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Referrer-Policy', 'no-referrer');
        res.setHeader('X-Frame-Options', 'DENY');
        res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
