// The built CLI (tsup.config.ts), built afresh into a temp copy of the installed layout (package.json,
// bin/gpu-shopper.cjs, dist/): the command list comes out as the source prints it, from a start that
// loads neither the CLI bundle nor clipanion, and the commands, their help and their errors come out
// as they do in-process.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCaptured, tempDir, type CliRun } from './test-support/harness';

const CLI_ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSUP = join(dirname(createRequire(import.meta.url).resolve('tsup/package.json')), 'dist/cli-default.js');
const execFileAsync = promisify(execFile);
const COMMAND_LIST_REQUESTS = [[], ['help'], ['-h'], ['--help']];
const NOT_BUILT = 'gpu-shopper: the CLI is not built yet; run "npm run build" (or "npm start") in the repository first\n';

/** A folder laid out as the package is: package.json, and bin/gpu-shopper.cjs (copied) beside dist/. */
function installedLayout(): string {
  const root = tempDir('gpu-shopper-cli-');
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(CLI_ROOT, 'package.json'), join(root, 'package.json'));
  copyFileSync(join(CLI_ROOT, 'bin/gpu-shopper.cjs'), join(root, 'bin/gpu-shopper.cjs'));
  return root;
}

async function run(script: string, argv: readonly string[]): Promise<CliRun> {
  const env = { PATH: process.env.PATH, HOME: tempDir('gpu-shopper-cli-home-'), NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [script, ...argv], { env });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { exitCode: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the built CLI', () => {
  let root: string;
  let dist: string;
  const runBin = (...argv: string[]) => run(join(root, 'bin/gpu-shopper.cjs'), argv);

  beforeAll(() => {
    root = installedLayout();
    dist = join(root, 'dist');
    const build = spawnSync(process.execPath, [TSUP, '--out-dir', dist], { cwd: CLI_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the build failed: ${build.stderr || build.stdout}`);
  }, 180_000);

  it('prints the command list exactly as the source does, for every way of asking', async () => {
    const expected = (await runCaptured(['--help'])).stdout;
    expect(expected).toContain('gpu-shopper inventory [--gpu <model>]');
    for (const argv of COMMAND_LIST_REQUESTS) expect(await runBin(...argv), argv.join(' ')).toEqual({ exitCode: 0, stdout: expected, stderr: '' });
    // The bundle run by itself (it is not how the command starts) prints the same text.
    expect(await run(join(dist, 'main.js'), ['--help'])).toEqual({ exitCode: 0, stdout: expected, stderr: '' });
  });

  it('starts the command list from dist/command-list.cjs alone: self-contained, without clipanion or any command', () => {
    const code = readFileSync(join(dist, 'command-list.cjs'), 'utf8');
    expect(code).toContain('gpu-shopper inventory [--gpu <model>]');
    expect(code).not.toMatch(/\brequire\(|\bimport\(|^import /m);
    expect(code).not.toContain('clipanion');
    expect(code).not.toMatch(/class \w+Command\b/);
  });

  it('loads the CLI bundle only for what is not the command list', async () => {
    // The same build, but a bundle that fails as it loads: the list must not need it.
    const stubbed = installedLayout();
    mkdirSync(join(stubbed, 'dist'));
    copyFileSync(join(dist, 'command-list.cjs'), join(stubbed, 'dist/command-list.cjs'));
    writeFileSync(join(stubbed, 'dist/main.js'), "throw new Error('the CLI bundle was loaded');\n");
    const expected = (await runCaptured(['--help'])).stdout;
    for (const argv of COMMAND_LIST_REQUESTS) expect(await run(join(stubbed, 'bin/gpu-shopper.cjs'), argv), argv.join(' ')).toEqual({ exitCode: 0, stdout: expected, stderr: '' });
    const other = await run(join(stubbed, 'bin/gpu-shopper.cjs'), ['--version']);
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toContain('the CLI bundle was loaded');
  });

  it("needs no createRequire banner: clipanion's requires of Node's built-ins became imports", () => {
    // esbuild's stand-in for `require` in an ES module, which throws "Dynamic require of ... is not supported".
    for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) expect(readFileSync(join(dist, file), 'utf8'), file).not.toContain('Dynamic require of');
  });

  it('runs commands, their help and their errors as the source does', async () => {
    for (const argv of [['inventory', '--help'], ['help', 'budgets', 'set'], ['--version'], ['invetory'], ['budgets', 'sett'], ['extend', 'ses_1', '--hours=20', '--json'], ['sessions', '--json']]) {
      expect(await runBin(...argv), argv.join(' ')).toEqual(await runCaptured(argv, { env: { NO_COLOR: '1' } }));
    }
  });

  it('says how to build it where there is no build, or one from before dist/command-list.cjs', async () => {
    const unbuilt = installedLayout();
    expect(await run(join(unbuilt, 'bin/gpu-shopper.cjs'), ['--help'])).toEqual({ exitCode: 1, stdout: '', stderr: NOT_BUILT });
    mkdirSync(join(unbuilt, 'dist'));
    copyFileSync(join(dist, 'main.js'), join(unbuilt, 'dist/main.js'));
    expect(await run(join(unbuilt, 'bin/gpu-shopper.cjs'), ['inventory', '--help'])).toEqual({ exitCode: 1, stdout: '', stderr: NOT_BUILT });
  });
});
