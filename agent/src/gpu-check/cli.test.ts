// The command as CI runs it: no nvidia-smi on PATH → one line, exit 0 (also through main.ts as a
// real process); usage errors exit 2. With a GPU it needs the real thing (README.md).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGpuCheck } from './cli';
import { Teardown } from './teardown';

const run = promisify(execFile);
const MAIN = path.resolve(import.meta.dirname, 'main.ts');
const AGENT_DIR = path.resolve(import.meta.dirname, '../..');

function captured() {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), text: () => text };
}

describe('gpu-check without a GPU', () => {
  let emptyPath: string;
  beforeEach(() => {
    emptyPath = mkdtempSync(path.join(tmpdir(), 'gpu-check-empty-path-'));
  });
  afterEach(() => rmSync(emptyPath, { recursive: true, force: true }));

  it('main.ts prints that no GPU was found and exits 0', { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN], { cwd: AGENT_DIR, env: { ...process.env, PATH: emptyPath } });
    expect(stdout).toBe('no NVIDIA GPU found (nvidia-smi: not found on PATH): GPU checks skipped\n');
  });

  it('writes the JSON report when asked', async () => {
    const stdout = captured();
    const jsonPath = path.join(emptyPath, 'report.json');
    const code = await runGpuCheck(['--json', jsonPath, '--skip-llm'], { env: { PATH: emptyPath }, stdout, stderr: captured(), teardown: new Teardown() });
    expect(code).toBe(0);
    expect(stdout.text()).toContain('GPU checks skipped');
    expect(JSON.parse(readFileSync(jsonPath, 'utf8'))).toEqual({ gpuFound: false, noGpuReason: 'not found on PATH', gpus: [], agent: null, checks: [], failed: 0 });
  });

  it('refuses a bad option with exit 2 and the usage', async () => {
    const stderr = captured();
    const code = await runGpuCheck(['--load-seconds', '-3'], { env: { PATH: emptyPath }, stdout: captured(), stderr, teardown: new Teardown() });
    expect(code).toBe(2);
    expect(stderr.text()).toMatch(/^gpu-check: .*load-seconds/);
    expect(stderr.text()).toContain('Usage: npm run gpu-check');
  });

  it('prints the help on --help', async () => {
    const stdout = captured();
    expect(await runGpuCheck(['--help'], { env: { PATH: emptyPath }, stdout, stderr: captured(), teardown: new Teardown() })).toBe(0);
    expect(stdout.text()).toContain('GPU_CHECK_MODEL');
  });
});
