import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv, probeGpus } from './nvidia-smi';
import type { RunCommand } from '../process/run-command';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const now = new Date('2030-01-01T00:00:00Z');
const replay = (stdout: string, exitCode = 0, stderr = ''): RunCommand => async () => ({ exitCode, stdout, stderr });

describe('nvidia-smi parsing', () => {
  it('parses one GPU', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-1-gpu.csv'))).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-80GB', utilizationPercent: 37, memoryUsedMiB: 12034, memoryTotalMiB: 81920, temperatureC: 45, powerDrawW: 215.32 },
    ]);
  });

  it('parses two GPUs, tolerating [N/A]', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-2-gpus.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus[1]).toMatchObject({ index: 1, utilizationPercent: 0, powerDrawW: null });
  });

  it('parses eight GPUs, tolerating [Not Supported] and errors', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-8-gpus.csv'));
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(gpus.every((gpu) => gpu.name === 'NVIDIA H100 80GB HBM3' && gpu.memoryTotalMiB === 81559)).toBe(true);
    expect(gpus[7]).toMatchObject({ utilizationPercent: null, temperatureC: null, powerDrawW: null });
  });

  it('keeps a comma inside a GPU name', () => {
    expect(parseNvidiaSmiCsv('0, Odd, Name, 1, 2, 3, 4, 5')[0]?.name).toBe('Odd, Name');
  });

  it('rejects a line in an unknown format', () => {
    expect(() => parseNvidiaSmiCsv('garbage')).toThrow(/unexpected/);
  });
});

describe('GPU probe', () => {
  it('reports GPUs', async () => {
    const probe = await probeGpus(replay(fixture('nvidia-smi-8-gpus.csv')), now);
    expect(probe.state).toBe('ok');
    expect(probe.gpus).toHaveLength(8);
  });

  it('reports "No devices were found" as no GPU, not an error', async () => {
    expect((await probeGpus(replay(fixture('nvidia-smi-no-devices.txt'), 6), now)).state).toBe('none');
  });

  it('reports a missing nvidia-smi as no GPU', async () => {
    const missing: RunCommand = async () => {
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    };
    expect(await probeGpus(missing, now)).toEqual({ state: 'none', gpus: [], sampledAt: now });
  });

  it('reports other failures as failed', async () => {
    expect((await probeGpus(replay('', 9, 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'), now)).state).toBe('failed');
    expect((await probeGpus(replay('not,csv'), now)).state).toBe('failed');
  });
});
