// Capability detection with FAKE commands on PATH (nvidia-smi replaying a recorded output, python3
// and nvcc scripts): which checks the plan then runs, and the reasons it gives for skipping.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCapabilities, findOnPath } from './capabilities';
import { probeRunner } from './exec';
import { planChecks } from './plan';
import { fakeCommands, fakeNvidiaSmi } from './test-support/fake-commands';
import type { FakeCommands } from './test-support/fake-commands';

const run = probeRunner();

describe('detectCapabilities', () => {
  let commands: FakeCommands;
  let home: string;
  let calls: string;
  beforeEach(() => {
    commands = fakeCommands();
    home = mkdtempSync(path.join(tmpdir(), 'gpu-check-home-'));
    calls = path.join(commands.directory, 'python-calls.log');
    fakeNvidiaSmi(commands, 'nvidia-smi-L-8-gpus.txt', 'nvidia-smi-8-gpus.csv');
  });
  afterEach(() => {
    commands.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  /** python3 that records what it was asked to import and answers as told. */
  const fakePython = (torch: 'ok' | 'missing' | 'no-cuda', vllm: 'ok' | 'missing') =>
    commands.add(
      'python3',
      [
        `printf '%s\\n---\\n' "$2" >> '${calls}'`,
        'case "$2" in',
        `  *torch*) ${{ ok: "echo 'PyTorch 2.8.0'; exit 0", missing: 'echo "ModuleNotFoundError: No module named \'torch\'" >&2; exit 1', 'no-cuda': "echo 'torch.cuda.is_available() is False' >&2; exit 1" }[torch]};;`,
        `  *vllm*) ${{ ok: "echo 'vLLM 0.11.0'; exit 0", missing: 'printf \'Traceback (most recent call last):\\n  File "<string>", line 1\\nModuleNotFoundError: No module named vllm\\n\' >&2; exit 1' }[vllm]};;`,
        'esac',
      ].join('\n'),
    );
  const detect = (env: NodeJS.ProcessEnv, skipLlm = false) => detectCapabilities({ run, env: { PATH: commands.path(), ...env }, skipLlm, nvccFallbacks: [], homeDir: home });
  const cacheModel = (id: string) => mkdirSync(path.join(home, '.cache/huggingface/hub', `models--${id.replace('/', '--')}`, 'snapshots/0123abcd'), { recursive: true });

  it('with the fake nvidia-smi a GPU is found, and without nvcc or PyTorch idle detection is skipped with both reasons', async () => {
    fakePython('missing', 'missing');
    const capabilities = await detect({});
    expect(capabilities.gpu.found && capabilities.gpu.gpus).toHaveLength(8);
    const plan = planChecks(capabilities, { skipLlm: false });
    expect(plan.status).toEqual({ run: true });
    expect(plan.files).toEqual({ run: true });
    expect(plan.idle).toEqual({ run: false, reason: "no way to load the GPU: nvcc not found on PATH; PyTorch with CUDA: ModuleNotFoundError: No module named 'torch'" });
    expect(plan.llm).toEqual({ run: false, reason: 'GPU_CHECK_MODEL not set (a local model path or a Hugging Face id already in the cache)' });
    // No model, so vllm (a slow import) was never tried.
    expect(readFileSync(calls, 'utf8')).not.toContain('vllm');
  });

  it('says so when PyTorch has no CUDA, and reports python3 missing', async () => {
    fakePython('no-cuda', 'missing');
    expect(planChecks(await detect({}), { skipLlm: true }).idle).toMatchObject({ run: false, reason: expect.stringContaining('PyTorch with CUDA: torch.cuda.is_available() is False') });
    rmSync(path.join(commands.directory, 'python3'));
    expect(planChecks(await detect({}), { skipLlm: true }).idle).toMatchObject({ run: false, reason: expect.stringContaining('python3 not found on PATH') });
  });

  it('prefers nvcc and then does not import torch', async () => {
    fakePython('ok', 'missing');
    const nvcc = commands.add('nvcc', 'echo "Cuda compilation tools, release 12.4, V12.4.131"');
    const plan = planChecks(await detect({}, true), { skipLlm: true });
    expect(plan.idle).toEqual({ run: true, load: 'nvcc', nvccPath: nvcc });
    expect(plan.llm).toEqual({ run: false, reason: '--skip-llm given' });
    expect(() => readFileSync(calls, 'utf8')).toThrow(/ENOENT/);
  });

  it('falls back to PyTorch, and runs the LLM check with a cached model and vLLM', async () => {
    fakePython('ok', 'ok');
    cacheModel('Qwen/Qwen2.5-0.5B-Instruct');
    const plan = planChecks(await detect({ GPU_CHECK_MODEL: 'Qwen/Qwen2.5-0.5B-Instruct' }), { skipLlm: false });
    expect(plan.idle).toEqual({ run: true, load: 'torch', nvccPath: null });
    expect(plan.llm).toEqual({ run: true, model: 'Qwen/Qwen2.5-0.5B-Instruct' });
  });

  it('skips the LLM check with vLLM missing, or the model not cached', async () => {
    fakePython('ok', 'missing');
    cacheModel('Qwen/Qwen2.5-0.5B-Instruct');
    expect(planChecks(await detect({ GPU_CHECK_MODEL: 'Qwen/Qwen2.5-0.5B-Instruct' }), { skipLlm: false }).llm).toEqual({
      run: false,
      reason: 'vllm not importable: ModuleNotFoundError: No module named vllm',
    });
    expect(planChecks(await detect({ GPU_CHECK_MODEL: 'meta-llama/Llama-3.1-8B-Instruct' }), { skipLlm: false }).llm).toEqual({
      run: false,
      reason: `model meta-llama/Llama-3.1-8B-Instruct is not in the local Hugging Face cache (${path.join(home, '.cache/huggingface/hub')}); the check never downloads`,
    });
  });

  it('finds executables on the given PATH only', () => {
    const nvcc = commands.add('nvcc', 'exit 0');
    expect(findOnPath('nvcc', { PATH: `/nonexistent${path.delimiter}${commands.directory}` })).toBe(nvcc);
    expect(findOnPath('nvcc', { PATH: '' })).toBeNull();
  });
});
