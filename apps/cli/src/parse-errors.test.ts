// What a mistyped command line gets: one line with the nearest command or option ("did you mean"),
// plain-words validation messages, readable usage placeholders, exit 2, and JSON with --json.
import { describe, expect, it } from 'vitest';
import { runCaptured } from './test-support/harness';

describe('parse errors', () => {
  it('suggests the nearest command, subcommand or alias', async () => {
    const cases: [string[], string][] = [
      [['invetory'], 'unknown command "invetory": did you mean "gpu-shopper inventory"? (see "gpu-shopper --help")'],
      [['provison', '--gpu=4090'], 'unknown command "provison": did you mean "gpu-shopper provision"? (see "gpu-shopper --help")'],
      [['budgets', 'sett', '--limit=5'], 'unknown command "budgets sett": did you mean "gpu-shopper budgets set"? (see "gpu-shopper --help")'],
      [['sesions', 'lst'], 'unknown command "sesions lst": did you mean "gpu-shopper sessions list"? (see "gpu-shopper --help")'],
      [['frobnicate'], 'unknown command "frobnicate" (see "gpu-shopper --help")'],
    ];
    for (const [argv, message] of cases) expect(await runCaptured(argv), argv.join(' ')).toEqual({ exitCode: 2, stdout: '', stderr: `gpu-shopper: ${message}\n` });
  });

  it('suggests the nearest option of the command typed, and names a value that is not one of the choices', async () => {
    expect((await runCaptured(['inventory', '--max-prise=0.5'])).stderr).toBe('gpu-shopper: unknown option "--max-prise" for "gpu-shopper inventory": did you mean "--max-price"?\n');
    expect((await runCaptured(['provision', '--gpu=4090', '--hours=1', '--wiat'])).stderr).toBe('gpu-shopper: unknown option "--wiat" for "gpu-shopper provision": did you mean "--wait"?\n');
    expect((await runCaptured(['sessions', '--frobnicate'])).stderr).toBe('gpu-shopper: unknown option "--frobnicate" for "gpu-shopper sessions" (see "gpu-shopper sessions --help")\n');
    expect(await runCaptured(['inventory', '--provider=vasti'])).toMatchObject({ exitCode: 2, stderr: 'gpu-shopper: --provider must be one of vastai, tensordock (got "vasti"; did you mean "vastai"?)\n' });
  });

  it('says in plain words what an argument or value must be', async () => {
    expect((await runCaptured(['extend', 'ses_1', '--hours=20'])).stderr).toBe(
      "gpu-shopper: --hours must be between 1 and 12 (past 12 h needs an operator's approval: extend by at most 12 h at a time; past 12 h from the start an override request is filed for an operator)\n",
    );
    expect((await runCaptured(['inventory', '--limit=2000'])).stderr).toBe('gpu-shopper: --limit must be between 1 and 1000 (one search returns at most 1000)\n');
    expect((await runCaptured(['done'])).stderr).toBe('gpu-shopper: "gpu-shopper done" needs <id> (see "gpu-shopper done --help")\n');
    expect((await runCaptured(['session', 'ses_1', 'ses_2'])).stderr).toBe('gpu-shopper: unexpected argument "ses_2" for "gpu-shopper session", which takes <id> (see "gpu-shopper session --help")\n');
  });

  it('answers in JSON on stderr when --json was asked for (exit 2)', async () => {
    const typo = await runCaptured(['inventory', '--max-prise=1', '--json']);
    expect(typo).toMatchObject({ exitCode: 2, stdout: '' });
    expect(JSON.parse(typo.stderr)).toEqual({ error: { code: 'USAGE', message: 'unknown option "--max-prise" for "gpu-shopper inventory": did you mean "--max-price"?', field: '--max-prise' } });
    const range = JSON.parse((await runCaptured(['extend', 'ses_1', '--hours=20', '--json'])).stderr) as { error: { field: string; message: string } };
    expect(range.error).toMatchObject({ field: '--hours', message: expect.stringMatching(/^--hours must be between 1 and 12 /) });
  });

  it('shows option values as <placeholders> in help and usage, never "#0"', async () => {
    const help = await runCaptured(['extend', '--help']);
    expect(help.stdout).toContain('--hours <n>');
    expect(help.stdout).toContain('--server-url <url>');
    const all = (await runCaptured(['--help'])).stdout;
    expect(all).toContain('gpu-shopper inventory [--gpu <model>] [--max-price <usd>]');
    expect(all).toContain('[--provider <vastai|tensordock>]');
    expect(all).toContain('also takes --server-url <url> and --api-key <key>');
    expect(all).not.toContain('#0');
  });
});
