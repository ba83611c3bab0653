// `gpu-shopper serve`: the server starts in-process (loaded on demand), announces itself, answers,
// and stops when told.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../cli';
import { runCaptured, tempDir } from '../../test-support/harness';

describe('serve', () => {
  it('starts the server from the environment, prints the startup message, answers, and stops', async () => {
    const dir = tempDir('gpu-shopper-serve-');
    let stdout = '';
    let announced!: (url: string) => void;
    const listening = new Promise<string>((resolve) => (announced = resolve));
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stdout += chunk.toString();
        const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
        if (url !== undefined) announced(url);
        done();
      },
    });
    let stop!: (reason: string) => void;
    const stopServing = new Promise<string>((resolve) => (stop = resolve));
    const env = { GPU_SHOPPER_DB: join(dir, 'db.sqlite'), GPU_SHOPPER_ADMIN_KEY: 'serve-test-admin-key-00000', HOST: '127.0.0.1' };
    const exitCode = runCli(['serve', '--port=0'], { env, stdin: Readable.from([]), stdout: out, stderr: new Writable({ write: (_c, _e, done) => done() }), colorDepth: 1, stopServing });

    const url = await listening;
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    stop('test');
    expect(await exitCode).toBe(0);
    expect(stdout).toContain('admin key: from GPU_SHOPPER_ADMIN_KEY');
  });

  it('refuses an invalid configuration in one line', async () => {
    const run = await runCaptured(['serve'], { env: { GPU_SHOPPER_ADMIN_KEY: 'short' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('gpu-shopper: invalid configuration: GPU_SHOPPER_ADMIN_KEY: must be at least 16 characters\n');
  });
});
