// The command list (`gpu-shopper`, `--help`, `-h`, `help`) without clipanion or any command: the
// build (tsup.config.ts) renders it with clipanion from the commands themselves, so it cannot
// drift from them, and puts the text in the bundle; printing it is then all a start does. Also
// built alone as dist/command-list.cjs, which bin/gpu-shopper.cjs loads before anything else, so
// it imports nothing but color.ts (which imports nothing).
import { useColour } from './color';

/** The list as clipanion prints it, without colour and with. */
export interface CommandListTexts {
  plain: string;
  coloured: string;
}

/**
 * The build's names for the two texts; esbuild's `define` puts each in as a string literal where it
 * is named (an object would become a module of its own that every chunk imports).
 */
export const COMMAND_LIST_GLOBALS = { plain: '__GPU_SHOPPER_COMMAND_LIST_PLAIN__', coloured: '__GPU_SHOPPER_COMMAND_LIST_COLOURED__' } as const;

// Defined only in the bundle; run from source (tests, tsx), the CLI renders the list when asked.
declare const __GPU_SHOPPER_COMMAND_LIST_PLAIN__: string | undefined;
declare const __GPU_SHOPPER_COMMAND_LIST_COLOURED__: string | undefined;

/** The argument lists that ask for the command list and nothing else. */
const COMMAND_LIST_REQUESTS: readonly (readonly string[])[] = [[], ['-h'], ['--help'], ['help']];

export function isCommandListRequest(argv: readonly string[]): boolean {
  return COMMAND_LIST_REQUESTS.some((request) => request.length === argv.length && request.every((word, index) => argv[index] === word));
}

/** The list the build rendered, or null where there was no build (run from source). */
export function builtCommandList(coloured: boolean): string | null {
  if (typeof __GPU_SHOPPER_COMMAND_LIST_PLAIN__ === 'undefined' || typeof __GPU_SHOPPER_COMMAND_LIST_COLOURED__ === 'undefined') return null;
  return coloured ? __GPU_SHOPPER_COMMAND_LIST_COLOURED__ : __GPU_SHOPPER_COMMAND_LIST_PLAIN__;
}

/** The stream a start writes the list to (process.stdout); only a terminal is asked for its colours. */
export interface CommandListStdout {
  isTTY?: boolean;
  getColorDepth(): number;
  write(text: string): unknown;
}

/**
 * Writes the build's list when argv asks for it, with colour as stdout allows (color.ts), and says
 * whether it did; false, with nothing written, for any other argv or where there is no build: the
 * caller then runs the CLI.
 */
export function writeBuiltCommandList(argv: readonly string[], env: Record<string, string | undefined>, stdout: CommandListStdout): boolean {
  if (!isCommandListRequest(argv)) return false;
  const isTTY = Boolean(stdout.isTTY);
  const list = builtCommandList(useColour({ env, isTTY, colorDepth: isTTY ? stdout.getColorDepth() : 1 }));
  if (list === null) return false;
  stdout.write(list);
  return true;
}
