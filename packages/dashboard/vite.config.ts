import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The API serves dist/ at `/`; relative asset URLs keep the build working under any mount path.
// In `vite dev`, /graphql and /exports go to a local API (DASHBOARD_API, default http://localhost:4000).
const api = process.env.DASHBOARD_API ?? 'http://localhost:4000';

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
  },
  server: {
    proxy: { '/graphql': api, '/exports': api },
  },
});
