// Child process for the crash test: ingests numbered batches forever and prints `ACK <batch>`
// after each ingest resolves. The parent kills it with SIGKILL at a random moment.
import { TelemetryEngine } from '../telemetry-engine.ts';

const [dataDir, runTag] = process.argv.slice(2);
const engine = await TelemetryEngine.open({ dataDir, loadIntervalMs: 30, compactAtFiles: 3 });
await engine.updateSettings({ enabled: true });
const now = Date.now();
for (let k = 0; ; k++) {
  const batch = [];
  for (let i = 0; i < 400; i++) {
    batch.push({
      eventId: `${runTag}-${k}-${i}`,
      timestamp: new Date(now - (i % 5) * 86_400_000).toISOString(),
      type: 'feature_used',
      name: `f${i % 9}`,
      productId: 'crash.app',
      userId: `u${i % 50}`,
      sessionId: `s${k}`,
    });
  }
  // Re-send half of the previous batch: it must be counted once.
  if (k > 0) for (let i = 0; i < 200; i++) batch.push({ ...batch[i], eventId: `${runTag}-${k - 1}-${i}` });
  await engine.ingest(batch);
  process.stdout.write(`ACK ${k}\n`);
}
