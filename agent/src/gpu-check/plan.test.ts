import { describe, expect, it } from 'vitest';
import type { Capabilities } from './capabilities';
import { planChecks } from './plan';

const gpu = { found: true as const, gpus: [{ index: 0, name: 'NVIDIA H200', uuid: null }] };
const withAll: Capabilities = {
  gpu,
  nvcc: { available: true, detail: '/usr/local/cuda/bin/nvcc' },
  torchCuda: null,
  vllm: { available: true, detail: 'vLLM 0.11.0' },
  model: { available: true, model: 'Qwen/Qwen2.5-0.5B-Instruct', detail: 'Hugging Face cache' },
};

describe('planChecks', () => {
  it('runs everything with nvcc, vLLM and a cached model', () => {
    expect(planChecks(withAll, { skipLlm: false })).toEqual({
      status: { run: true },
      idle: { run: true, load: 'nvcc', nvccPath: '/usr/local/cuda/bin/nvcc' },
      files: { run: true },
      llm: { run: true, model: 'Qwen/Qwen2.5-0.5B-Instruct' },
    });
  });

  it('loads the GPU with PyTorch when there is no nvcc', () => {
    const plan = planChecks({ ...withAll, nvcc: { available: false, reason: 'nvcc not found on PATH' }, torchCuda: { available: true, detail: 'PyTorch 2.8.0' } }, { skipLlm: false });
    expect(plan.idle).toEqual({ run: true, load: 'torch', nvccPath: null });
  });

  it('skips idle detection with both reasons when nothing can load the GPU', () => {
    const plan = planChecks(
      { ...withAll, nvcc: { available: false, reason: 'nvcc not found on PATH' }, torchCuda: { available: false, reason: "PyTorch with CUDA: ModuleNotFoundError: No module named 'torch'" } },
      { skipLlm: false },
    );
    expect(plan.idle).toEqual({ run: false, reason: "no way to load the GPU: nvcc not found on PATH; PyTorch with CUDA: ModuleNotFoundError: No module named 'torch'" });
    expect(plan.status.run && plan.files.run).toBe(true);
  });

  it('skips the LLM check for --skip-llm, a missing model, or no vLLM, saying which', () => {
    expect(planChecks(withAll, { skipLlm: true }).llm).toEqual({ run: false, reason: '--skip-llm given' });
    expect(planChecks({ ...withAll, model: { available: false, reason: 'GPU_CHECK_MODEL not set' }, vllm: null }, { skipLlm: false }).llm).toEqual({ run: false, reason: 'GPU_CHECK_MODEL not set' });
    expect(planChecks({ ...withAll, vllm: { available: false, reason: 'vllm not importable: No module named vllm' } }, { skipLlm: false }).llm).toEqual({
      run: false,
      reason: 'vllm not importable: No module named vllm',
    });
  });

  it('skips everything without a GPU', () => {
    const plan = planChecks({ gpu: { found: false, reason: 'not found on PATH' }, nvcc: { available: false, reason: 'no GPU' }, torchCuda: null, vllm: null, model: null }, { skipLlm: false });
    expect(Object.values(plan)).toEqual(Array(4).fill({ run: false, reason: 'no NVIDIA GPU (not found on PATH)' }));
  });
});
