// The real executable path: main.ts run by node (through tsx), with process streams and exit code.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('gpu-shopper process', () => {
  it('prints the command list for --help and a usage error with exit 2 for a bad flag', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
    const help = await run(process.execPath, ['--import', 'tsx', main, '--help'], { env });
    expect(help.stdout).toContain('gpu-shopper inventory');
    expect(help.stdout).toContain('gpu-shopper keys create');

    const bad = await run(process.execPath, ['--import', 'tsx', main, 'inventory', '--limit=lots'], { env }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2, stdout: '', stderr: 'gpu-shopper: --limit must be a whole number (got "lots")\n' });
  });
});
