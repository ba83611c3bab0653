// GPU sampling through nvidia-smi's CSV query: a tolerant parser plus a probe that tells
// "this node has no GPU" (not an error) apart from "the probe failed" (counts as busy for idle).
import type { RunCommand } from '../process/run-command';

export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
  '--format=csv,noheader,nounits',
];

export interface GpuSample {
  index: number;
  name: string;
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
}

export type GpuProbe =
  | { state: 'ok'; gpus: GpuSample[]; sampledAt: Date }
  | { state: 'none'; gpus: []; sampledAt: Date }
  | { state: 'failed'; gpus: []; sampledAt: Date; error: string };

/** "[N/A]", "[Not Supported]" and friends become null rather than NaN. */
function numberOrNull(field: string | undefined): number | null {
  if (field === undefined) return null;
  const value = Number(field.trim());
  return field.trim() === '' || Number.isNaN(value) ? null : value;
}

/** Parses the CSV lines; throws on a line with the wrong number of fields (a format change). */
export function parseNvidiaSmiCsv(output: string): GpuSample[] {
  return output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(',').map((field) => field.trim());
      if (fields.length < 7) throw new Error(`unexpected nvidia-smi line: ${line}`);
      // A GPU name could itself hold a comma; the numeric fields are always the last five.
      const tail = fields.slice(-5);
      const index = numberOrNull(fields[0]);
      if (index === null) throw new Error(`unexpected nvidia-smi line: ${line}`);
      return {
        index,
        name: fields.slice(1, -5).join(', '),
        utilizationPercent: numberOrNull(tail[0]),
        memoryUsedMiB: numberOrNull(tail[1]),
        memoryTotalMiB: numberOrNull(tail[2]),
        temperatureC: numberOrNull(tail[3]),
        powerDrawW: numberOrNull(tail[4]),
      };
    });
}

const NO_DEVICES = /No devices were found/i;

export async function probeGpus(runCommand: RunCommand, now: Date): Promise<GpuProbe> {
  let result;
  try {
    result = await runCommand('nvidia-smi', NVIDIA_SMI_ARGS, { timeoutMs: 10_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none', gpus: [], sampledAt: now };
    return { state: 'failed', gpus: [], sampledAt: now, error: (error as Error).message };
  }
  if (NO_DEVICES.test(result.stdout) || NO_DEVICES.test(result.stderr)) return { state: 'none', gpus: [], sampledAt: now };
  if (result.exitCode !== 0) {
    return { state: 'failed', gpus: [], sampledAt: now, error: `nvidia-smi exited with ${result.exitCode}: ${result.stderr.trim().slice(0, 200)}` };
  }
  try {
    const gpus = parseNvidiaSmiCsv(result.stdout);
    return gpus.length === 0 ? { state: 'none', gpus: [], sampledAt: now } : { state: 'ok', gpus, sampledAt: now };
  } catch (error) {
    return { state: 'failed', gpus: [], sampledAt: now, error: (error as Error).message };
  }
}
