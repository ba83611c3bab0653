// How output reads where it lands: colour only on a terminal (none with NO_COLOR, TERM=dumb or
// when piped), and errors as one JSON object on stderr when --json was asked for.
import { describe, expect, it } from 'vitest';
import { createShopperClient, type ShopperClientOptions } from '@gpu-shopper/sdk';
import { useColour } from './color';
import { runCaptured } from './test-support/harness';
import { sessionDetail } from './test-support/fixtures';

const ESC = '\u001b[';

/** A client whose every call gets `data` back, as the tRPC endpoint would send it. */
const canned = (data: unknown) => (options: ShopperClientOptions) =>
  createShopperClient({ ...options, fetch: async () => new Response(JSON.stringify({ result: { data } }), { headers: { 'content-type': 'application/json' } }) });

describe('colour', () => {
  it('is on for a colour terminal only', () => {
    expect(useColour({ env: {}, isTTY: true, colorDepth: 8 })).toBe(true);
    expect(useColour({ env: {}, isTTY: false, colorDepth: 8 })).toBe(false);
    expect(useColour({ env: {}, isTTY: true, colorDepth: 1 })).toBe(false);
    expect(useColour({ env: { NO_COLOR: '1' }, isTTY: true, colorDepth: 8 })).toBe(false);
    expect(useColour({ env: { NO_COLOR: '' }, isTTY: true, colorDepth: 8 })).toBe(true);
    expect(useColour({ env: { TERM: 'dumb' }, isTTY: true, colorDepth: 8 })).toBe(false);
  });

  it('colours help, table headers and states on a terminal, and never with NO_COLOR or when piped', async () => {
    const sessions = { sessions: [sessionDetail(), sessionDetail({ id: 'ses_2', state: 'failed' })] };
    const run = (env: Record<string, string>, tty: boolean) => runCaptured(['sessions'], { env: { GPU_SHOPPER_API_KEY: 'gsc_x', ...env }, createClient: canned(sessions), tty: { stdout: tty }, colorDepth: 256 });
    const coloured = await run({}, true);
    expect(coloured.stdout).toContain(`${ESC}1mID`);
    expect(coloured.stdout).toContain(`${ESC}32mready`);
    expect(coloured.stdout).toContain(`${ESC}31mfailed`);
    // The escape codes do not count in the alignment: stripped, it is the plain table.
    const plain = await run({}, false);
    expect(coloured.stdout.replace(new RegExp(`${ESC.replace('[', '\\[')}\\d+m`, 'g'), '')).toBe(plain.stdout);
    expect(plain.stdout).not.toContain(ESC);
    expect((await run({ NO_COLOR: '1' }, true)).stdout).not.toContain(ESC);

    const help = (env: Record<string, string>, tty: boolean) => runCaptured(['--help'], { env, tty: { stdout: tty }, colorDepth: 256 });
    expect((await help({}, true)).stdout).toContain(ESC);
    expect((await help({ NO_COLOR: '1' }, true)).stdout).not.toContain(ESC);
    expect((await help({}, false)).stdout).not.toContain(ESC);
  });

  it('colours the error prefix only on a terminal stderr', async () => {
    const onTerminal = await runCaptured(['frobnicate'], { tty: { stderr: true }, colorDepth: 256 });
    expect(onTerminal.stderr).toBe(`${ESC}31mgpu-shopper:${ESC}39m unknown command "frobnicate" (see "gpu-shopper --help")\n`);
    expect((await runCaptured(['frobnicate'], { env: { NO_COLOR: 'yes' }, tty: { stderr: true }, colorDepth: 256 })).stderr).not.toContain(ESC);
  });
});

describe('--json errors', () => {
  it('are one JSON object on stderr with the code, the message and the field, and a non-zero exit', async () => {
    const unreachable = await runCaptured(['inventory', '--json'], { env: { GPU_SHOPPER_URL: 'http://127.0.0.1:9', GPU_SHOPPER_API_KEY: 'gsc_x' } });
    expect(unreachable).toMatchObject({ exitCode: 1, stdout: '' });
    expect(JSON.parse(unreachable.stderr)).toEqual({ error: { code: 'UNREACHABLE', message: expect.stringContaining('cannot reach the server at http://127.0.0.1:9'), field: null } });

    const noKey = await runCaptured(['sessions', '--json']);
    expect(noKey.exitCode).toBe(2);
    expect(JSON.parse(noKey.stderr)).toEqual({ error: { code: 'USAGE', message: expect.stringContaining('no API key is set'), field: null } });

    const badUrl = await runCaptured(['sessions', '--json', '--server-url=localhost:8080', '--api-key=gsc_x']);
    expect(JSON.parse(badUrl.stderr)).toEqual({ error: { code: 'USAGE', message: '--server-url must be an http(s) URL, e.g. http://localhost:8080 (got "localhost:8080")', field: '--server-url' } });
    // Without --json, the same failure is one line of text.
    expect((await runCaptured(['sessions'])).stderr).toMatch(/^gpu-shopper: no API key is set/);
  });
});
