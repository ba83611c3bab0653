// `gpu-shopper completion bash|zsh|fish`: the scripts name every command, subcommand and option, and
// they complete in the real shells (each shell's check runs where that shell is installed).
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCaptured, tempDir } from './test-support/harness';

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

async function script(shell: string): Promise<string> {
  const run = await runCaptured(['completion', shell]);
  expect(run).toMatchObject({ exitCode: 0, stderr: '' });
  const file = join(tempDir('gpu-shopper-completion-'), shell);
  writeFileSync(file, run.stdout);
  return file;
}

describe('completion', () => {
  it('generates each script from the command tree: commands, subcommands, aliases, options and their values', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const { stdout } = await runCaptured(['completion', shell]);
      for (const word of ['inventory', 'budgets set', 'keys rotate', 'sessions list', 'completion', 'max-price', 'server-url', 'wait', 'tensordock', 'heartbeat_lost']) expect(stdout, `${shell}: ${word}`).toContain(word);
    }
  });

  it('refuses another shell, naming the ones it knows (exit 2)', async () => {
    expect(await runCaptured(['completion', 'powershell'])).toMatchObject({ exitCode: 2, stderr: 'gpu-shopper: shell must be one of bash, zsh, fish (got "powershell")\n' });
  });

  it.skipIf(!has('bash'))('completes in bash: commands, subcommands, options, option values and files', async () => {
    const file = await script('bash');
    const complete = (...words: string[]) =>
      execFileSync('bash', ['-c', `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _gpu_shopper; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file, 'gpu-shopper', ...words], { encoding: 'utf8' }).trim().split('\n');
    expect(complete('inv')).toEqual(['inventory']);
    // The bare default command, -h and --version are options at the top, not commands.
    expect(complete('')).toEqual(expect.arrayContaining(['inventory', 'completion', 'help', '-h', '--help', '--version']));
    expect(complete('budgets', '')).toEqual(expect.arrayContaining(['list', 'set', 'delete', '--json', '--server-url', '--api-key']));
    expect(complete('inventory', '--max')).toEqual(['--max-price']);
    expect(complete('provision', '--provider', '')).toEqual(['vastai', 'tensordock']);
    expect(complete('provision', '--provider', '=', 'ten')).toEqual(['tensordock']);
    expect(complete('session', 'ses_1', '--sh')).toEqual(['--show-secrets']);
    expect(complete('provision', '--ssh-key-file', file.slice(0, -2))).toEqual([file]);
  });

  it.skipIf(!has('zsh'))('completes in zsh (its completion functions stubbed to print what they are given)', async () => {
    const file = await script('zsh');
    const stubs = [
      'compdef() { :; }',
      '_describe() { print -r -- "$2: ${(j: :)${(@)${(P)4}%%:*}}"; }',
      'compadd() { shift; print -r -- "values: $*"; }',
      '_files() { print -r -- files; }',
    ].join('\n');
    const complete = (...words: string[]) =>
      execFileSync('zsh', ['-c', `${stubs}\nsource "$1"; shift; words=("$@"); CURRENT=$#; PREFIX=\${words[CURRENT]}; _gpu-shopper`, 'zsh', file, 'gpu-shopper', ...words], { encoding: 'utf8' }).trim().split('\n');
    expect(complete('')[0]).toMatch(/^commands: inventory provision sessions .* completion help$/);
    expect(complete('keys', '')).toEqual(['commands: create list rotate revoke', 'options: --json --server-url --api-key -h --help']);
    expect(complete('provision', '--workload', '')).toEqual(['values: llm training batch']);
    expect(complete('session', 'ses_1', '--save-key', '')).toEqual(['files']);
  });

  it.skipIf(!has('fish'))('completes in fish, with descriptions', async () => {
    const file = await script('fish');
    const complete = (line: string) => execFileSync('fish', ['-c', `source $argv[1]; complete -C $argv[2]`, file, line], { encoding: 'utf8' }).trim().split('\n');
    expect(complete('gpu-shopper inv')).toEqual(['inventory\tsearch GPU offers across providers']);
    expect(complete('gpu-shopper budgets ').map((line) => line.split('\t')[0])).toEqual(['delete', 'list', 'set']);
    expect(complete('gpu-shopper inventory --sort ').map((line) => line.split('\t')[0])).toEqual(['price', 'reliability', 'vram']);
    expect(complete('gpu-shopper sessions l')).toEqual(['list\tlist sessions']);
  });
});
