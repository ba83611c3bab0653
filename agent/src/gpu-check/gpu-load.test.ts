// The load programs: the build command, and (where nvcc / python3 exist, as on the GPU machine)
// that the CUDA source really compiles and the PyTorch script parses. Running them needs a GPU.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath } from './capabilities';
import { probeRunner } from './exec';
import { BUSY_KERNEL_SOURCE, nvccBuildCommand, prepareLoad, startLoad, TORCH_LOAD_SOURCE } from './gpu-load';
import { Teardown } from './teardown';
import { fakeCommands } from './test-support/fake-commands';

const nvcc = findOnPath('nvcc', process.env);
const python3 = findOnPath('python3', process.env);

describe('GPU load programs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gpu-check-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the busy kernel with optimisation and no fixed architecture', () => {
    expect(nvccBuildCommand('/usr/local/cuda/bin/nvcc', '/w/busy-kernel.cu', '/w/busy-kernel')).toEqual({
      command: '/usr/local/cuda/bin/nvcc',
      args: ['-O2', '-o', '/w/busy-kernel', '/w/busy-kernel.cu'],
    });
    expect(BUSY_KERNEL_SOURCE).toContain('__global__ void spin');
    expect(BUSY_KERNEL_SOURCE).toContain('cudaDeviceSynchronize');
  });

  it('reports a failed build with nvcc\'s error', async () => {
    const commands = fakeCommands();
    try {
      const fake = commands.add('nvcc', 'echo "busy-kernel.cu(3): error: identifier \\"x\\" is undefined" >&2; exit 2');
      const prepared = await prepareLoad('nvcc', { directory: dir, nvccPath: fake, run: probeRunner(), env: {}, seconds: 5 });
      expect(prepared).toEqual({ ok: false, reason: 'building the busy kernel failed: nvcc exited with code 2: busy-kernel.cu(3): error: identifier "x" is undefined' });
    } finally {
      commands.dispose();
    }
  });

  it.skipIf(nvcc === null)('compiles with the real nvcc, and the program checks its CUDA calls', { timeout: 180_000 }, async () => {
    const teardown = new Teardown();
    const prepared = await prepareLoad('nvcc', { directory: dir, nvccPath: nvcc, run: probeRunner(), env: process.env, seconds: 1 });
    expect(prepared).toEqual({ ok: true, command: { command: path.join(dir, 'busy-kernel'), args: ['1'] } });
    expect(existsSync(path.join(dir, 'busy-kernel'))).toBe(true);
    const usage = await startLoad({ command: path.join(dir, 'busy-kernel'), args: [] }, process.env, teardown);
    expect(usage).toEqual({ exitCode: 2, lastOutput: expect.stringContaining('usage:') });
    const outcome = await startLoad({ command: path.join(dir, 'busy-kernel'), args: ['1'] }, process.env, teardown);
    // Without a GPU the first CUDA call fails and says why; with one the kernel runs for a second.
    if (outcome.exitCode === 0) expect(outcome.lastOutput).toMatch(/busy kernel on .+: \d+ launches/);
    else expect(outcome).toEqual({ exitCode: 1, lastOutput: expect.stringMatching(/^cudaGetDeviceProperties: /) });
    await teardown.run();
  });

  it.skipIf(python3 === null)('writes a PyTorch script that parses', async () => {
    const prepared = await prepareLoad('torch', { directory: dir, nvccPath: null, run: probeRunner(), env: process.env, seconds: 3 });
    expect(prepared).toEqual({ ok: true, command: { command: 'python3', args: [path.join(dir, 'gpu-load.py'), '3'] } });
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path.join(dir, 'gpu-load.py')]);
    expect(TORCH_LOAD_SOURCE).toContain('torch.cuda.synchronize()');
  });
});
