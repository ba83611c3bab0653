// The gpu-shopper executable: runs the CLI on the process's arguments and streams.
import { runCli } from './cli';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  // Colour needs a terminal (and no NO_COLOR; see color.ts): ask whichever stream is one.
  colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : process.stderr.isTTY ? process.stderr.getColorDepth() : 1,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
});
