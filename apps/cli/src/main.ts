// The gpu-shopper executable: runs the CLI on the process's arguments and streams. The command
// list, the most common start, is printed from the build's text before the CLI itself is loaded.
import { useColour } from './color';
import { builtCommandList, isCommandListRequest } from './command-list';

const argv = process.argv.slice(2);
// Only stdout is touched on the way to the list: the first read of process.stdin or process.stderr
// opens that stream, and a pipe's needs the `net` module, which costs the list a good part of its start.
const { stdout } = process;
const commandList = isCommandListRequest(argv) ? builtCommandList(useColour({ env: process.env, isTTY: Boolean(stdout.isTTY), colorDepth: stdout.isTTY ? stdout.getColorDepth() : 1 })) : null;

if (commandList !== null) {
  stdout.write(commandList);
} else {
  const { runCli } = await import('./cli');
  process.exitCode = await runCli(argv, {
    env: process.env,
    stdin: process.stdin,
    stdout,
    stderr: process.stderr,
    // Colour needs a terminal (and no NO_COLOR; see color.ts): ask whichever stream is one.
    colorDepth: stdout.isTTY ? stdout.getColorDepth() : process.stderr.isTTY ? process.stderr.getColorDepth() : 1,
    columns: stdout.isTTY ? stdout.columns : undefined,
  });
}
