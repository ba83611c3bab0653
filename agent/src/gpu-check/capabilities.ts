// What this machine can do for the checks: a GPU, a way to load it (nvcc, else PyTorch with CUDA),
// and for the LLM check vLLM plus a model already on disk. Probes only what the plan can use:
// importing torch or vllm takes seconds.
import { homedir } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { detectGpu } from './detect-gpu';
import type { GpuDetection } from './detect-gpu';
import { describeProbeFailure, lastLine } from './exec';
import type { ProbeRunner } from './exec';
import { locateModel } from './model-location';
import type { ModelLocation } from './model-location';

export type Capability = { available: true; detail: string } | { available: false; reason: string };

export interface Capabilities {
  gpu: GpuDetection;
  /** detail: the nvcc executable. */
  nvcc: Capability;
  /** null: not probed (nvcc is there, or no GPU). */
  torchCuda: Capability | null;
  /** null: not probed (--skip-llm, no model, no GPU). */
  vllm: Capability | null;
  /** null: not looked for (--skip-llm, no GPU). */
  model: ModelLocation | null;
}

export interface DetectOptions {
  run: ProbeRunner;
  env: NodeJS.ProcessEnv;
  skipLlm: boolean;
  /** Where nvcc lives when the CUDA toolkit's bin is not on PATH. */
  nvccFallbacks?: string[];
  homeDir?: string;
}

export const DEFAULT_NVCC_FALLBACKS = ['/usr/local/cuda/bin/nvcc'];
const PYTHON_PROBE_TIMEOUT_MS = 180_000;

const isExecutableFile = (file: string) => {
  try {
    return statSync(file).isFile() && (statSync(file).mode & 0o111) !== 0;
  } catch {
    return false;
  }
};

/** The first executable of that name on the PATH of env (the same lookup a spawn does). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const directory of (env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function detectNvcc(run: ProbeRunner, env: NodeJS.ProcessEnv, fallbacks: string[]): Promise<Capability> {
  const nvcc = findOnPath('nvcc', env) ?? fallbacks.find((candidate) => existsSync(candidate) && isExecutableFile(candidate)) ?? null;
  if (nvcc === null) return { available: false, reason: `nvcc not found on PATH${fallbacks.length > 0 ? ` nor at ${fallbacks.join(', ')}` : ''}` };
  const version = await run(nvcc, ['--version'], { env, timeoutMs: 30_000 });
  if (version.outcome !== 'exited' || version.exitCode !== 0) return { available: false, reason: describeProbeFailure(nvcc, version) };
  return { available: true, detail: nvcc };
}

/** python3 -c <code>: available when it exits 0; the reason is Python's last line of error. */
async function probePython(run: ProbeRunner, env: NodeJS.ProcessEnv, code: string, label: string): Promise<Capability> {
  const result = await run('python3', ['-c', code], { env, timeoutMs: PYTHON_PROBE_TIMEOUT_MS });
  if (result.outcome === 'exited' && result.exitCode === 0) return { available: true, detail: lastLine(result.stdout) || label };
  if (result.outcome === 'not-found') return { available: false, reason: 'python3 not found on PATH' };
  if (result.outcome === 'exited') return { available: false, reason: `${label}: ${lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.exitCode}`}` };
  return { available: false, reason: describeProbeFailure(`python3 (${label})`, result) };
}

const TORCH_PROBE = "import sys, torch\nif not torch.cuda.is_available(): sys.exit('torch.cuda.is_available() is False')\nprint('PyTorch ' + torch.__version__)";
const VLLM_PROBE = "import vllm\nprint('vLLM ' + vllm.__version__)";

export async function detectCapabilities(options: DetectOptions): Promise<Capabilities> {
  const { run, env } = options;
  const gpu = await detectGpu(run, env);
  const notProbed = { torchCuda: null, vllm: null, model: null };
  if (!gpu.found) return { gpu, nvcc: { available: false, reason: 'no GPU' }, ...notProbed };
  const nvcc = await detectNvcc(run, env, options.nvccFallbacks ?? DEFAULT_NVCC_FALLBACKS);
  const torchCuda = nvcc.available ? null : await probePython(run, env, TORCH_PROBE, 'PyTorch with CUDA');
  if (options.skipLlm) return { gpu, nvcc, torchCuda, vllm: null, model: null };
  const model = locateModel(env.GPU_CHECK_MODEL, env, options.homeDir ?? homedir());
  // Importing vllm takes a while; pointless without a model to serve.
  const vllm = model.available ? await probePython(run, { ...env, HF_HUB_OFFLINE: '1' }, VLLM_PROBE, 'vllm not importable') : null;
  return { gpu, nvcc, torchCuda, vllm, model };
}
