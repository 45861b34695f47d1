/**
 * `npm run bench -- [--events N] [--days D] [--json FILE] [--quick] [--skip-peer] [--seed S] ...`:
 * every stage of /work/shared/spec/bench.md in one process, a table on stdout, the numbers in FILE.
 * Progress goes to stderr. Exit code 1 when a key of bench.md is missing.
 */
import { BENCH_KEYS } from './runner/keys.ts';
import { describeMachine } from './runner/machine.ts';
import { parseBenchArgs, USAGE } from './runner/options.ts';
import { formatReport, markdownReport, writeMarkdown, writeResultsJson } from './runner/report.ts';
import { runBench } from './runner/run-bench.ts';

let options;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options === null) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const run = await runBench(options);
const machine = await describeMachine();
const report = formatReport(run);
process.stdout.write('\n' + report + '\n');
await writeResultsJson(options.jsonPath, run, machine);
process.stderr.write(`\nwrote ${options.jsonPath}\n`);
if (options.mdPath) {
  await writeMarkdown(options.mdPath, markdownReport(run, machine, `npm run bench -- ${process.argv.slice(2).join(' ')}`));
  process.stderr.write(`wrote ${options.mdPath}\n`);
}
const missing = BENCH_KEYS.filter((k) => run.results[k] === undefined);
if (missing.length > 0) {
  process.stderr.write(`missing keys of bench.md: ${missing.join(', ')}\n`);
  process.exitCode = 1;
}
