// Which checks run, and with what, given the machine's capabilities and the options; a check that
// cannot run says why. Pure, so every combination is tested without a GPU.
import type { Capabilities } from './capabilities';
import type { GpuCheckOptions } from './options';

export type LoadKind = 'nvcc' | 'torch';

export type Planned<T> = ({ run: true } & T) | { run: false; reason: string };

export interface CheckPlan {
  status: Planned<object>;
  idle: Planned<{ load: LoadKind; nvccPath: string | null }>;
  files: Planned<object>;
  llm: Planned<{ model: string }>;
}

export const CHECK_NAMES = { status: 'status', idle: 'idle detection', files: 'file round trip', llm: 'LLM chat' } as const;

const skip = (reason: string) => ({ run: false as const, reason });

export function planChecks(capabilities: Capabilities, options: Pick<GpuCheckOptions, 'skipLlm'>): CheckPlan {
  if (!capabilities.gpu.found) {
    const reason = `no NVIDIA GPU (${capabilities.gpu.reason})`;
    return { status: skip(reason), idle: skip(reason), files: skip(reason), llm: skip(reason) };
  }
  const { nvcc, torchCuda, vllm, model } = capabilities;
  let idle: CheckPlan['idle'];
  if (nvcc.available) idle = { run: true, load: 'nvcc', nvccPath: nvcc.detail };
  else if (torchCuda?.available) idle = { run: true, load: 'torch', nvccPath: null };
  else idle = skip(`no way to load the GPU: ${nvcc.reason}; ${torchCuda ? torchCuda.reason : 'PyTorch not checked'}`);

  let llm: CheckPlan['llm'];
  if (options.skipLlm) llm = skip('--skip-llm given');
  else if (!model) llm = skip('model not looked for');
  else if (!model.available) llm = skip(model.reason);
  else if (!vllm?.available) llm = skip(vllm ? vllm.reason : 'vLLM not checked');
  else llm = { run: true, model: model.model };

  return { status: { run: true }, idle, files: { run: true }, llm };
}
