// The command list a build carries as text: which arguments ask for it, that a run prints the
// build's text when there is one, and that the text is clipanion's own list of every command.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandListTexts } from './cli';
import { builtCommandList, COMMAND_LIST_GLOBALS, isCommandListRequest, writeBuiltCommandList, type CommandListStdout } from './command-list';
import { runCaptured } from './test-support/harness';

/** A stdout that records what is written, a terminal of `colorDepth` colours or (without one) a pipe. */
function fakeStdout(colorDepth?: number): CommandListStdout & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    isTTY: colorDepth !== undefined ? true : undefined,
    getColorDepth: () => {
      if (colorDepth === undefined) throw new Error('a pipe has no colour depth');
      return colorDepth;
    },
    write: (text: string) => written.push(text),
  };
}

describe('command list', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is what the bare command, help, -h and --help ask for, and nothing else', () => {
    for (const argv of [[], ['help'], ['-h'], ['--help']]) expect(isCommandListRequest(argv), argv.join(' ')).toBe(true);
    for (const argv of [['help', 'inventory'], ['inventory', '--help'], ['--help', 'inventory'], ['--version'], ['-h', '-h']]) expect(isCommandListRequest(argv), argv.join(' ')).toBe(false);
  });

  it('is rendered by clipanion from every command: each category, usage line and description', async () => {
    const { plain, coloured } = commandListTexts();
    expect(plain).toBe((await runCaptured(['--help'])).stdout);
    expect(coloured).toBe((await runCaptured(['--help'], { tty: { stdout: true }, colorDepth: 256 })).stdout);
    expect(coloured).not.toBe(plain);
    for (const line of ['Inventory', 'gpu-shopper inventory [--gpu <model>]', 'search GPU offers across providers', 'gpu-shopper keys create <--consumer <name>>', 'Webhooks', 'also takes --server-url <url>']) expect(plain).toContain(line);
  });

  it('is not built into the source: runs from source render it', () => {
    expect(builtCommandList(false)).toBeNull();
  });

  it("is the build's text, when there is one, for every way of asking (colour as the terminal allows)", async () => {
    vi.stubGlobal(COMMAND_LIST_GLOBALS.plain, 'the built list\n');
    vi.stubGlobal(COMMAND_LIST_GLOBALS.coloured, '\u001b[1mthe built list\u001b[22m\n');
    for (const argv of [[], ['help'], ['-h'], ['--help']]) expect(await runCaptured(argv), argv.join(' ')).toEqual({ exitCode: 0, stdout: 'the built list\n', stderr: '' });
    expect((await runCaptured(['--help'], { tty: { stdout: true }, colorDepth: 256 })).stdout).toBe('\u001b[1mthe built list\u001b[22m\n');
    expect((await runCaptured(['--help'], { env: { NO_COLOR: '1' }, tty: { stdout: true }, colorDepth: 256 })).stdout).toBe('the built list\n');
    // Anything else still goes through clipanion.
    expect((await runCaptured(['help', 'costs'])).stdout).toContain('Show costs per period');
  });

  it("is written by the installed command's start from the build's text, for every way of asking, colour as stdout allows", () => {
    vi.stubGlobal(COMMAND_LIST_GLOBALS.plain, 'the built list\n');
    vi.stubGlobal(COMMAND_LIST_GLOBALS.coloured, '\u001b[1mthe built list\u001b[22m\n');
    for (const argv of [[], ['help'], ['-h'], ['--help']]) {
      const piped = fakeStdout();
      expect(writeBuiltCommandList(argv, {}, piped), argv.join(' ')).toBe(true);
      expect(piped.written).toEqual(['the built list\n']);
    }
    const terminal = fakeStdout(256);
    expect(writeBuiltCommandList(['--help'], {}, terminal)).toBe(true);
    expect(terminal.written).toEqual(['\u001b[1mthe built list\u001b[22m\n']);
    for (const [env, colorDepth] of [[{ NO_COLOR: '1' }, 256], [{ TERM: 'dumb' }, 256], [{}, 1]] as const) {
      const plainTerminal = fakeStdout(colorDepth);
      writeBuiltCommandList(['--help'], env, plainTerminal);
      expect(plainTerminal.written, JSON.stringify(env)).toEqual(['the built list\n']);
    }
  });

  it('is not written, and the CLI is run instead, for anything else or without a build', () => {
    const withoutBuild = fakeStdout();
    expect(writeBuiltCommandList(['--help'], {}, withoutBuild)).toBe(false);
    vi.stubGlobal(COMMAND_LIST_GLOBALS.plain, 'the built list\n');
    vi.stubGlobal(COMMAND_LIST_GLOBALS.coloured, '\u001b[1mthe built list\u001b[22m\n');
    const other = fakeStdout(256);
    for (const argv of [['help', 'costs'], ['inventory', '--help'], ['--version']]) expect(writeBuiltCommandList(argv, {}, other), argv.join(' ')).toBe(false);
    expect([...withoutBuild.written, ...other.written]).toEqual([]);
  });
});
