// The CLI bundle's entry (dist/main.js): runs the CLI on the process's arguments and streams. The
// installed command, bin/gpu-shopper.cjs, prints the command list without it (see command-list.ts)
// and loads it for anything else.
import { runCli } from './cli';

const { stdout, stderr } = process;
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout,
  stderr,
  // Colour needs a terminal (and no NO_COLOR; see color.ts): ask whichever stream is one.
  colorDepth: stdout.isTTY ? stdout.getColorDepth() : stderr.isTTY ? stderr.getColorDepth() : 1,
  columns: stdout.isTTY ? stdout.columns : undefined,
});
