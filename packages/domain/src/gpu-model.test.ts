import { describe, expect, it } from 'vitest';
import { compactGpuName, compileGpuQuery, gpuModelMatches, literalFirstChar, normalizeGpuModel, vramGbFromName } from './gpu-model';

describe('normalizeGpuModel', () => {
  it.each([
    ['RTX 4090', null, 'RTX 4090'],
    ['geforcertx4090-pcie-24gb', null, 'RTX 4090'],
    ['NVIDIA GeForce RTX 4090', null, 'RTX 4090'],
    ['RTX_3090', null, 'RTX 3090'],
    ['RTX 4070 Ti', null, 'RTX 4070 Ti'],
    ['RTX 4090S', null, 'RTX 4090S'],
    ['GTX 1080', null, 'GTX 1080'],
    ['H100 SXM', 80, 'H100 SXM'],
    ['h100-sxm5-80gb', null, 'H100 SXM'],
    ['H100 PCIE', 80, 'H100 PCIe'],
    ['H100 NVL', 94, 'H100 NVL'],
    ['h200-sxm-141gb', null, 'H200'],
    ['B200', 180, 'B200'],
    ['A100 SXM4', 80, 'A100 80GB'],
    ['A100 PCIE', 40, 'A100 40GB'],
    ['a100-pcie-80gb', null, 'A100 80GB'],
    ['A100', null, 'A100'],
    ['RTX A6000', 48, 'RTX A6000'],
    ['rtxa6000-pcie-48gb', null, 'RTX A6000'],
    ['A5000', null, 'RTX A5000'],
    ['L40S', 48, 'L40S'],
    ['l40s-pcie-48gb', null, 'L40S'],
    ['L40', 48, 'L40'],
    ['L4', 24, 'L4'],
    ['A40', 48, 'A40'],
    ['A10', 24, 'A10'],
    ['Tesla V100', 16, 'V100'],
    ['RTX 6000Ada', 48, 'RTX 6000 Ada'],
    ['Q RTX 8000', 48, 'Quadro RTX 8000'],
  ])('%s (%s GB) -> %s', (raw, vram, expected) => {
    expect(normalizeGpuModel(raw, vram)).toBe(expected);
  });

  it('reads the first character a rule can match only where nothing else can start a match', () => {
    expect(literalFirstChar(/^h100sxm/)).toBe('h');
    expect(literalFirstChar(/^l4(?!\d)/)).toBe('l');
    expect(literalFirstChar(/^rtx(\d{4})ada/)).toBe('r');
    expect(literalFirstChar(/^(gtx)?(?:rtx)?(\d{4})/)).toBeNull();
    expect(literalFirstChar(/^qrtx(\d{4})|^rtx(\d{4})quadro/)).toBeNull();
    expect(literalFirstChar(/^a(10|16)(?!\d)/)).toBeNull();
    expect(literalFirstChar(/^a?100/)).toBeNull();
    expect(literalFirstChar(/^a*100/)).toBeNull();
    expect(literalFirstChar(/^[ab]100/)).toBeNull();
    expect(literalFirstChar(/h100/)).toBeNull();
  });

  it('keeps an unknown name, tidied', () => {
    expect(normalizeGpuModel('  Mystery_Accel  9 ')).toBe('Mystery Accel 9');
  });

  it('reads VRAM from names and compacts names', () => {
    expect(vramGbFromName('a100-pcie-80gb')).toBe(80);
    expect(vramGbFromName('RTX 4090')).toBeNull();
    expect(compactGpuName('NVIDIA GeForce RTX 4090')).toBe('rtx4090');
  });
});

describe('gpuModelMatches', () => {
  it('matches loose queries on both sides ("--gpu=4090" finds "RTX 4090")', () => {
    expect(gpuModelMatches('4090', 'RTX 4090')).toBe(true);
    expect(gpuModelMatches('rtx-4090', 'RTX 4090')).toBe(true);
    expect(gpuModelMatches('geforcertx4090-pcie-24gb', 'RTX 4090')).toBe(true);
    expect(gpuModelMatches('h100', 'H100 SXM')).toBe(true);
    expect(gpuModelMatches('a100', 'A100 80GB')).toBe(true);
    expect(gpuModelMatches('', 'anything')).toBe(true);
  });

  it('never splits a number', () => {
    expect(gpuModelMatches('a10', 'A100 80GB')).toBe(false);
    expect(gpuModelMatches('090', 'RTX 4090')).toBe(false);
    expect(gpuModelMatches('409', 'RTX 4090')).toBe(false);
    expect(gpuModelMatches('4090', 'RTX 3090')).toBe(false);
    expect(gpuModelMatches('l4', 'L40S')).toBe(false);
  });
});

describe('compileGpuQuery', () => {
  const models = ['RTX 4090', 'RTX 3090', 'A100 80GB', 'A100 40GB', 'H100 SXM', 'L40S', 'L4', 'RTX A6000', 'Mystery Accel 9'];
  const queries = ['4090', 'rtx-4090', 'a100', 'a10', 'A100 80GB', 'l4', 'h100', '090', 'geforcertx4090-pcie-24gb', '', 'a6000'];

  it('gives the same verdict as the one-off match, for every model, asked once or again', () => {
    for (const query of queries) {
      const matches = compileGpuQuery(query);
      for (const model of [...models, ...models]) expect(matches(model), `${query} vs ${model}`).toBe(gpuModelMatches(query, model));
    }
  });

  it('matches a query through its canonical name too ("geforcertx4090-pcie-24gb" finds "RTX 4090" but not "RTX 3090")', () => {
    const matches = compileGpuQuery('geforcertx4090-pcie-24gb');
    expect(models.filter(matches)).toEqual(['RTX 4090']);
  });
});
