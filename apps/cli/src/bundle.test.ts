// The built CLI (tsup.config.ts), built afresh into a temp directory: the command list comes out as
// the source prints it, from a start that loads neither clipanion nor any command, and the
// commands, their help and their errors come out as they do in-process.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCaptured, tempDir, type CliRun } from './test-support/harness';

const CLI_ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSUP = join(dirname(createRequire(import.meta.url).resolve('tsup/package.json')), 'dist/cli-default.js');
const execFileAsync = promisify(execFile);

/** The files a start of `entry` reads before it runs anything: its static imports, transitively (dynamic ones excluded). */
function staticImportClosure(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, imported] of readFileSync(join(dir, file), 'utf8').matchAll(/^import\s+(?:[^'"(]*?\s+from\s+)?["']\.\/([^"']+)["'];?$/gm)) visit(imported!);
  };
  visit(entry);
  return [...seen];
}

describe('the built CLI', () => {
  let dist: string;
  const run = async (...argv: string[]): Promise<CliRun> => {
    const env = { PATH: process.env.PATH, HOME: tempDir('gpu-shopper-cli-home-'), NO_COLOR: '1' };
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [join(dist, 'main.js'), ...argv], { env });
      return { exitCode: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { exitCode: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  beforeAll(() => {
    dist = tempDir('gpu-shopper-cli-dist-');
    const build = spawnSync(process.execPath, [TSUP, '--out-dir', dist], { cwd: CLI_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the build failed: ${build.stderr || build.stdout}`);
  }, 180_000);

  it('prints the command list exactly as the source does, for every way of asking', async () => {
    const expected = (await runCaptured(['--help'])).stdout;
    expect(expected).toContain('gpu-shopper inventory [--gpu <model>]');
    for (const argv of [[], ['help'], ['-h'], ['--help']]) expect(await run(...argv), argv.join(' ')).toEqual({ exitCode: 0, stdout: expected, stderr: '' });
  });

  it('starts the command list without clipanion or any command: main.js and what it imports hold neither', () => {
    const loaded = staticImportClosure(dist, 'main.js');
    const code = loaded.map((file) => readFileSync(join(dist, file), 'utf8')).join('\n');
    expect(code).toContain('gpu-shopper inventory [--gpu <model>]');
    expect(code).not.toContain('clipanion');
    expect(code).not.toMatch(/class \w+Command\b/);
    // The CommonJS require of Node's built-ins (clipanion's) became imports: no chunk needs a createRequire banner.
    expect(code).not.toContain('createRequire');
  });

  it("runs commands, their help and their errors as the source does", async () => {
    for (const argv of [['inventory', '--help'], ['help', 'budgets', 'set'], ['--version'], ['invetory'], ['budgets', 'sett'], ['extend', 'ses_1', '--hours=20', '--json'], ['sessions', '--json']]) {
      expect(await run(...argv), argv.join(' ')).toEqual(await runCaptured(argv, { env: { NO_COLOR: '1' } }));
    }
  });
});
