// The status check's comparison, on recorded nvidia-smi outputs parsed by the agent's own parser.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from '../status/nvidia-smi';
import { parseNvidiaSmiList } from './detect-gpu';
import { compareStatusWithListing } from './status-check';
import { LIST_FIXTURES, STATUS_FIXTURES } from './test-support/fake-commands';

const csv = (name: string) => parseNvidiaSmiCsv(readFileSync(path.join(STATUS_FIXTURES, name), 'utf8'));
const listing = (name: string) => parseNvidiaSmiList(readFileSync(path.join(LIST_FIXTURES, name), 'utf8'));
const reported = (gpus: ReturnType<typeof csv>) => ({ probe: 'ok' as const, error: null, sampledAt: '2030-01-01T00:00:00.000Z', gpus });

describe('compareStatusWithListing', () => {
  it('passes when count, names and memory match nvidia-smi -L', () => {
    expect(compareStatusWithListing(listing('nvidia-smi-L-2-gpus.txt'), reported(csv('nvidia-smi-2-gpus.csv')))).toEqual({
      check: 'status',
      result: 'ok',
      figure: '2 × NVIDIA GeForce RTX 4090, 24564 MiB',
      detail: 'matches nvidia-smi -L; GPU 0 now: 98% utilization, 22816 MiB used, 71 °C, 412.87 W',
    });
    expect(compareStatusWithListing(listing('nvidia-smi-L-8-gpus.txt'), reported(csv('nvidia-smi-8-gpus.csv'))).result).toBe('ok');
  });

  it('fails on a different count or name', () => {
    expect(compareStatusWithListing(listing('nvidia-smi-L-8-gpus.txt'), reported(csv('nvidia-smi-2-gpus.csv')))).toMatchObject({
      result: 'FAIL',
      detail: 'agent reports 2 GPU(s), nvidia-smi -L lists 8',
    });
    expect(compareStatusWithListing(listing('nvidia-smi-L-1-gpu-mig.txt'), reported(csv('nvidia-smi-1-gpu.csv'))).result).toBe('ok');
    const renamed = [{ index: 0, name: 'NVIDIA H200', uuid: null }];
    expect(compareStatusWithListing(renamed, reported(csv('nvidia-smi-1-gpu.csv')))).toMatchObject({
      result: 'FAIL',
      detail: 'GPU 0 "NVIDIA A100-SXM4-80GB" vs nvidia-smi -L GPU 0 "NVIDIA H200"',
    });
  });

  it('fails when a GPU has no memory size, or the agent\'s probe failed', () => {
    const gpus = csv('nvidia-smi-1-gpu.csv').map((gpu) => ({ ...gpu, memoryTotalMiB: null }));
    expect(compareStatusWithListing(listing('nvidia-smi-L-1-gpu-mig.txt'), reported(gpus))).toMatchObject({ result: 'FAIL', detail: 'GPU 0 reports no memory size' });
    expect(
      compareStatusWithListing(listing('nvidia-smi-L-1-gpu-mig.txt'), { probe: 'failed', error: 'nvidia-smi exited with 9', sampledAt: '2030-01-01T00:00:00.000Z', gpus: [] }),
    ).toMatchObject({ result: 'FAIL', detail: 'agent GPU probe is "failed": nvidia-smi exited with 9; nvidia-smi -L lists 1' });
  });
});
