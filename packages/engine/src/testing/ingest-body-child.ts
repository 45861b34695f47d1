// Child process for the worker-reference test: a script whose only pending work is one ingestBody.
// It must print the answer and close, not exit silently while the encoder worker holds the request.
import { TelemetryEngine } from '../telemetry-engine.ts';

const [dataDir] = process.argv.slice(2);
const engine = await TelemetryEngine.open({ dataDir });
await engine.updateSettings({ enabled: true });
const body = JSON.stringify([
  { eventId: 'e-1', timestamp: new Date().toISOString(), type: 'session_start', productId: 'acme.desktop', userId: 'u-1', sessionId: 's-1' },
]);
const result = await engine.ingestBody(Buffer.from(body), { contentType: 'application/json' });
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
await engine.close();
