// normalizeGpuModel runs a chain of regexes; a catalog has only a few dozen distinct (name, VRAM) pairs,
// so offer parsing looks each up once (this keeps 10,000 offers well inside the 50 ms CPU budget).
import { normalizeGpuModel } from '@gpu-shopper/domain';

const cache = new Map<string, string>();
const MAX_ENTRIES = 5_000;

export function cachedGpuModel(providerName: string, vramGb: number | null): string {
  const key = `${providerName}\u0000${vramGb ?? ''}`;
  let model = cache.get(key);
  if (model === undefined) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    model = normalizeGpuModel(providerName, vramGb);
    cache.set(key, model);
  }
  return model;
}
