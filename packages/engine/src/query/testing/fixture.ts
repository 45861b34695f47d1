import { type Dataset, generateDataset, storedEvents, type ValidEvent } from './dataset.ts';
import { MetricsHarness } from './harness.ts';

export interface Fixture {
  readonly data: Dataset;
  readonly events: ValidEvent[];
  readonly h: MetricsHarness;
}

/** The seeded dataset loaded batch by batch (late and duplicated events in later batches). */
export async function loadFixture(seed = 7): Promise<Fixture> {
  const data = generateDataset({ seed });
  const h = await MetricsHarness.create(data.today);
  await h.ingestAll(data.batches);
  return { data, events: storedEvents(data.batches), h };
}
