/**
 * Writes a synthetic fleet as NDJSON.
 *
 *   npx tsx benchmarks/src/generate-cli.ts --events 100000 --days 30 --seed 1 --out fleet.ndjson
 *
 * Options: --events N, --days D, --seed S, --end-day YYYY-MM-DD (default today UTC), --users U,
 * --products 3 | a,b,c, --late F, --duplicates F, --malformed F, --out FILE (required).
 * Progress goes to stderr once a second; a summary follows.
 */
import { parseArgs } from 'node:util';
import { emptyFleetStats, planFleet, writeFleetNdjson, type FleetOptions } from './generator.ts';
import { formatTable, ProgressReporter, ratePerSecond } from './stats.ts';

const USAGE =
  'usage: generate-cli --out FILE [--events N] [--days D] [--seed S] [--end-day YYYY-MM-DD] [--users U] ' +
  '[--products N|a,b,c] [--late F] [--duplicates F] [--malformed F]';

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isFinite(value)) throw new RangeError(`--${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'end-day': { type: 'string' },
      users: { type: 'string' },
      products: { type: 'string' },
      late: { type: 'string' },
      duplicates: { type: 'string' },
      malformed: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.out) {
    process.stderr.write(USAGE + '\n');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const products = values.products;
  const options: FleetOptions = {
    events: numberOption('events', values.events),
    days: numberOption('days', values.days),
    seed: numberOption('seed', values.seed),
    endDay: values['end-day'],
    users: numberOption('users', values.users),
    products: products === undefined ? undefined : /^\d+$/.test(products) ? Number(products) : products.split(','),
    lateFraction: numberOption('late', values.late),
    duplicateFraction: numberOption('duplicates', values.duplicates),
    malformedFraction: numberOption('malformed', values.malformed),
  };
  const plan = planFleet(options);
  const stats = emptyFleetStats();
  const progress = new ProgressReporter({ label: 'generate', total: plan.events });
  const result = await writeFleetNdjson({ ...options, endDay: plan.endDay, stats }, values.out, {
    onProgress: (n) => progress.update(n),
  });
  progress.finish(result.events);
  process.stderr.write(
    formatTable({
      file: values.out,
      seed: plan.seed,
      days: `${plan.startDay}..${plan.endDay}`,
      users: plan.users,
      products: plan.products.join(','),
      events: result.events,
      bytes: result.bytes,
      bytesPerEvent: result.bytes / Math.max(1, result.events),
      eventsPerSec: ratePerSecond(result.events, result.ms),
      sessions: stats.sessions,
      late: stats.late,
      duplicates: stats.duplicates,
      malformed: stats.malformed,
      peakPending: stats.peakPending,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`generate-cli: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exitCode = 1;
});
