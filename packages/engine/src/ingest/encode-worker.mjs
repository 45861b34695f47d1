// Bootstrap of an encoder worker: workers do not inherit tsx's loader, so register it here and
// then load the TypeScript implementation.
import { register } from 'tsx/esm/api';

register();
await import('./encode-worker.ts');
