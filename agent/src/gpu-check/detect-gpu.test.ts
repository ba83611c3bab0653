// GPU detection through a FAKE nvidia-smi on PATH (recorded outputs), never a real GPU.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectGpu, noGpuMessage, parseNvidiaSmiList } from './detect-gpu';
import { probeRunner } from './exec';
import { fakeCommands, fakeNvidiaSmi, LIST_FIXTURES, STATUS_FIXTURES } from './test-support/fake-commands';
import type { FakeCommands } from './test-support/fake-commands';

const listing = (name: string) => readFileSync(path.join(LIST_FIXTURES, name), 'utf8');

describe('parseNvidiaSmiList', () => {
  it('reads index, name and UUID of every GPU', () => {
    const gpus = parseNvidiaSmiList(listing('nvidia-smi-L-8-gpus.txt'));
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toEqual({ index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-1f0e6c53-5e6b-9a4c-3f8e-2b9d4c1a7e01' });
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts GPUs, not their MIG instances', () => {
    expect(parseNvidiaSmiList(listing('nvidia-smi-L-1-gpu-mig.txt'))).toEqual([{ index: 0, name: 'NVIDIA A100-SXM4-80GB', uuid: 'GPU-bdac06fd-f2a5-d4e6-d2cc-cf9beabec2ab' }]);
  });

  it('finds nothing in other output', () => {
    expect(parseNvidiaSmiList(readFileSync(path.join(STATUS_FIXTURES, 'nvidia-smi-no-devices.txt'), 'utf8'))).toEqual([]);
    expect(parseNvidiaSmiList('')).toEqual([]);
  });
});

describe('detectGpu with a fake nvidia-smi on PATH', () => {
  let commands: FakeCommands;
  const run = probeRunner();
  beforeEach(() => {
    commands = fakeCommands();
  });
  afterEach(() => commands.dispose());

  it('detects the GPUs nvidia-smi -L lists', async () => {
    fakeNvidiaSmi(commands, 'nvidia-smi-L-2-gpus.txt', 'nvidia-smi-2-gpus.csv');
    const detection = await detectGpu(run, { PATH: commands.path() });
    expect(detection).toEqual({
      found: true,
      gpus: [
        { index: 0, name: 'NVIDIA GeForce RTX 4090', uuid: 'GPU-9b8ae4db-d0e3-b2c4-b0aa-ad7fce9cf089' },
        { index: 1, name: 'NVIDIA GeForce RTX 4090', uuid: 'GPU-ac9bf5ec-e1f4-c3d5-c1bb-be8adfadb19a' },
      ],
    });
  });

  it('says why there is no GPU: absent, no devices, a broken driver, an empty listing', async () => {
    expect(await detectGpu(run, { PATH: commands.path() })).toEqual({ found: false, reason: 'not found on PATH' });

    commands.add('nvidia-smi', `exec /bin/cat '${path.join(STATUS_FIXTURES, 'nvidia-smi-no-devices.txt')}'`);
    expect(await detectGpu(run, { PATH: commands.path() })).toEqual({ found: false, reason: 'No devices were found' });

    commands.add('nvidia-smi', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2; exit 9`);
    expect(await detectGpu(run, { PATH: commands.path() })).toEqual({ found: false, reason: "exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." });

    commands.add('nvidia-smi', 'exit 0');
    expect(await detectGpu(run, { PATH: commands.path() })).toEqual({ found: false, reason: 'listed no GPU' });
  });

  it('prints one clear line without a GPU', () => {
    expect(noGpuMessage('not found on PATH')).toBe('no NVIDIA GPU found (nvidia-smi: not found on PATH): GPU checks skipped');
  });
});
