// The command list a build carries as text: which arguments ask for it, that a run prints the
// build's text when there is one, and that the text is clipanion's own list of every command.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandListTexts } from './cli';
import { builtCommandList, COMMAND_LIST_GLOBALS, isCommandListRequest } from './command-list';
import { runCaptured } from './test-support/harness';

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
});
