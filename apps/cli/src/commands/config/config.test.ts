// `config set/get`: the 0600 file under XDG_CONFIG_HOME, the masked key, and env overrides.
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCaptured, tempDir } from '../../test-support/harness';

/** The config dir left to the CLI to derive from env, as in real use. */
const xdgRun = (argv: string[], env: Record<string, string>) => runCaptured(argv, { env, configDir: undefined });

describe('config', () => {
  it('writes server URL and key to a 0600 file under XDG_CONFIG_HOME and shows the key masked', async () => {
    const xdg = tempDir('gpu-shopper-xdg-');
    const env = { XDG_CONFIG_HOME: xdg };
    expect(await xdgRun(['config', 'set', 'server-url', 'https://gpus.example.com/'], env)).toMatchObject({ exitCode: 0, stderr: '' });
    const setKey = await xdgRun(['config', 'set', 'api-key', 'gsc_secret_0123456789abcdef'], env);
    expect(setKey.stdout).toContain('gsc_se…');
    expect(setKey.stdout).not.toContain('gsc_secret_0123456789abcdef');

    const file = join(xdg, 'gpu-shopper', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ serverUrl: 'https://gpus.example.com', apiKey: 'gsc_secret_0123456789abcdef' });

    const shown = await xdgRun(['config', 'get'], env);
    expect(shown.stdout).toContain('server URL:  https://gpus.example.com\n');
    expect(shown.stdout).toContain('API key:     gsc_se…\n');
    expect(shown.stdout).not.toContain('secret');
    expect(JSON.parse((await xdgRun(['config', 'get', '--json'], env)).stdout)).toMatchObject({ serverUrl: 'https://gpus.example.com', apiKeySet: true, apiKey: 'gsc_se…', apiKeySource: 'file' });
  });

  it('falls back to ~/.config and the default URL, and lets env override the file', async () => {
    const home = tempDir('gpu-shopper-home-');
    mkdirSync(join(home, '.config', 'gpu-shopper'), { recursive: true });
    writeFileSync(join(home, '.config', 'gpu-shopper', 'config.json'), JSON.stringify({ apiKey: 'gsc_fromfile_000' }));
    const fromFile = JSON.parse((await xdgRun(['config', 'get', '--json'], { HOME: home })).stdout) as Record<string, unknown>;
    expect(fromFile).toMatchObject({ serverUrl: 'http://localhost:8080', serverUrlSource: 'default', apiKey: 'gsc_fr…', apiKeySource: 'file' });

    const fromEnv = JSON.parse((await xdgRun(['config', 'get', '--json'], { HOME: home, GPU_SHOPPER_URL: 'http://127.0.0.1:9', GPU_SHOPPER_API_KEY: 'gsc_fromenv_000' })).stdout) as Record<string, unknown>;
    expect(fromEnv).toMatchObject({ serverUrl: 'http://127.0.0.1:9', serverUrlSource: 'env', apiKey: 'gsc_fr…', apiKeySource: 'env' });
    expect((await xdgRun(['config', 'get'], { HOME: home, GPU_SHOPPER_API_KEY: 'gsc_fromenv_000' })).stdout).toContain('(from environment)');
  });

  it('warns when an environment variable overrides the value just saved', async () => {
    const xdg = tempDir('gpu-shopper-xdg-');
    const key = await xdgRun(['config', 'set', 'api-key', 'gsc_consumer_000'], { XDG_CONFIG_HOME: xdg, GPU_SHOPPER_API_KEY: 'gsc_admin_000' });
    expect(key).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('API key gsc_co… saved') });
    expect(key.stderr).toBe('warning: GPU_SHOPPER_API_KEY is set in this environment and overrides the saved api-key; it is used until you run "unset GPU_SHOPPER_API_KEY"\n');
    const url = await xdgRun(['config', 'set', 'server-url', 'https://a.example.com'], { XDG_CONFIG_HOME: xdg, GPU_SHOPPER_URL: 'https://b.example.com' });
    expect(url.stderr).toContain('warning: GPU_SHOPPER_URL is set in this environment and overrides the saved server-url');
    // The same value in both, or nothing in the environment: nothing to warn about.
    expect((await xdgRun(['config', 'set', 'server-url', 'https://b.example.com/'], { XDG_CONFIG_HOME: xdg, GPU_SHOPPER_URL: 'https://b.example.com' })).stderr).toBe('');
    expect((await xdgRun(['config', 'set', 'api-key', 'gsc_consumer_000'], { XDG_CONFIG_HOME: xdg })).stderr).toBe('');
  });

  it('says "not set" without a key', async () => {
    expect((await runCaptured(['config', 'get'])).stdout).toContain('API key:     not set\n');
  });

  it('refuses a URL that is not http(s) and an unknown setting, as usage errors', async () => {
    const badUrl = await runCaptured(['config', 'set', 'server-url', 'localhost:8080']);
    expect(badUrl).toMatchObject({ exitCode: 2, stderr: 'gpu-shopper: server-url: "localhost:8080" is not an http(s) URL, e.g. http://localhost:8080\n' });
    const badName = await runCaptured(['config', 'set', 'colour', 'blue']);
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toBe('gpu-shopper: setting must be one of server-url, api-key, vastai-key, tensordock-key (got "colour")\n');
  });

  it('reports a corrupt config file in one line', async () => {
    const dir = tempDir('gpu-shopper-corrupt-');
    writeFileSync(join(dir, 'config.json'), '{ nope');
    const run = await runCaptured(['config', 'get'], { configDir: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^gpu-shopper: .*config\.json is not valid JSON.*\n$/);
  });
});
