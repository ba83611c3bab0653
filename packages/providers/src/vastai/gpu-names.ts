// Vast's own GPU names, so an operator's "4090" or "A100 80GB" becomes a server-side gpu_name filter.
// Unknown queries send no filter: the inventory filters again, and a new GPU must not vanish.
import { compileGpuQuery, normalizeGpuModel } from '@gpu-shopper/domain';

/** gpu_name values as Vast spells them, with the per-GPU VRAM sizes (GB) they come in. */
export const VAST_GPU_NAMES: readonly { name: string; vramGb: readonly number[] }[] = [
  { name: 'RTX 3060', vramGb: [12] },
  { name: 'RTX 3070', vramGb: [8] },
  { name: 'RTX 3080', vramGb: [10, 12] },
  { name: 'RTX 3080 Ti', vramGb: [12] },
  { name: 'RTX 3090', vramGb: [24] },
  { name: 'RTX 3090 Ti', vramGb: [24] },
  { name: 'RTX 4070', vramGb: [12] },
  { name: 'RTX 4080', vramGb: [16] },
  { name: 'RTX 4080S', vramGb: [16] },
  { name: 'RTX 4090', vramGb: [24] },
  { name: 'RTX 4090D', vramGb: [24] },
  { name: 'RTX 5090', vramGb: [32] },
  { name: 'RTX A4000', vramGb: [16] },
  { name: 'RTX A5000', vramGb: [24] },
  { name: 'RTX A6000', vramGb: [48] },
  { name: 'RTX 6000Ada', vramGb: [48] },
  { name: 'A10', vramGb: [24] },
  { name: 'A40', vramGb: [48] },
  { name: 'L4', vramGb: [24] },
  { name: 'L40', vramGb: [48] },
  { name: 'L40S', vramGb: [48] },
  { name: 'A100 PCIE', vramGb: [40, 80] },
  { name: 'A100 SXM4', vramGb: [40, 80] },
  { name: 'A100X', vramGb: [80] },
  { name: 'H100 PCIE', vramGb: [80] },
  { name: 'H100 SXM', vramGb: [80] },
  { name: 'H100 NVL', vramGb: [94] },
  { name: 'H200', vramGb: [141] },
  { name: 'H200 NVL', vramGb: [141] },
  { name: 'B200', vramGb: [180] },
  { name: 'Tesla V100', vramGb: [16, 32] },
];

export interface VastGpuNameMatch {
  names: string[];
  /** Per-GPU VRAM (GB) range of the matching (name, size) pairs: narrows "A100 80GB" within "A100 SXM4". */
  minVramGb: number;
  maxVramGb: number;
}

/** The Vast gpu_name values that match an operator's GPU query; null when none is known. */
export function vastGpuNamesFor(query: string): VastGpuNameMatch | null {
  const matches = compileGpuQuery(query);
  const names = new Set<string>();
  const sizes: number[] = [];
  for (const { name, vramGb } of VAST_GPU_NAMES) {
    for (const vram of vramGb) {
      if (matches(normalizeGpuModel(name, vram)) || matches(name)) {
        names.add(name);
        sizes.push(vram);
      }
    }
  }
  if (names.size === 0) return null;
  return { names: [...names], minVramGb: Math.min(...sizes), maxVramGb: Math.max(...sizes) };
}
