// Entry point of `npm run gpu-check` (tsx src/gpu-check/main.ts): runs the checks and makes sure no
// child process (agent, LLM engine via the agent, GPU load) outlives it, also on Ctrl-C.
import { runGpuCheck } from './cli';
import { Teardown } from './teardown';

const teardown = new Teardown();
process.once('exit', () => teardown.signalAllNow());
for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    process.stderr.write(`\ngpu-check: ${signal}: stopping child processes\n`);
    void teardown.run().finally(() => process.exit(exitCode));
  });
}

try {
  process.exit(await runGpuCheck(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, teardown }));
} catch (error) {
  process.stderr.write(`gpu-check: ${(error as Error).stack ?? String(error)}\n`);
  await teardown.run();
  process.exit(1);
}
