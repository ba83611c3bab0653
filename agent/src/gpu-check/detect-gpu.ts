// Is there an NVIDIA GPU? `nvidia-smi -L` on PATH, answering with at least one "GPU n: name" line.
// Its listing is also the reference the status check compares the agent's report with.
import { describeProbeFailure } from './exec';
import type { ProbeRunner } from './exec';

export interface ListedGpu {
  index: number;
  name: string;
  uuid: string | null;
}

export type GpuDetection = { found: true; gpus: ListedGpu[] } | { found: false; reason: string };

// "GPU 0: NVIDIA H200 (UUID: GPU-5b1c...)"; MIG devices are indented "MIG ..." lines and not GPUs here,
// as in the agent's own nvidia-smi query.
const GPU_LINE = /^GPU (\d+): (.+?)(?: \(UUID: ([^)]+)\))?\s*$/;
const NO_DEVICES = /No devices were found/i;

export function parseNvidiaSmiList(output: string): ListedGpu[] {
  return output
    .split(/\r?\n/)
    .map((line) => GPU_LINE.exec(line.trimEnd()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ index: Number(match[1]), name: match[2]!.trim(), uuid: match[3]?.trim() ?? null }));
}

export const NVIDIA_SMI_TIMEOUT_MS = 20_000;

export async function detectGpu(run: ProbeRunner, env: NodeJS.ProcessEnv): Promise<GpuDetection> {
  const result = await run('nvidia-smi', ['-L'], { env, timeoutMs: NVIDIA_SMI_TIMEOUT_MS });
  if (result.outcome === 'not-found') return { found: false, reason: 'not found on PATH' };
  if (result.outcome === 'exited' && (NO_DEVICES.test(result.stdout) || NO_DEVICES.test(result.stderr))) {
    return { found: false, reason: 'No devices were found' };
  }
  if (result.outcome !== 'exited' || result.exitCode !== 0) {
    return { found: false, reason: describeProbeFailure('nvidia-smi -L', result).replace(/^nvidia-smi -L /, '') };
  }
  const gpus = parseNvidiaSmiList(result.stdout);
  return gpus.length > 0 ? { found: true, gpus } : { found: false, reason: 'listed no GPU' };
}

/** The one line printed (and the exit is 0) on a machine without a GPU, e.g. in CI. */
export function noGpuMessage(reason: string): string {
  return `no NVIDIA GPU found (nvidia-smi: ${reason}): GPU checks skipped`;
}
