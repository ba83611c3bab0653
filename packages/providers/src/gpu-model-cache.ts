// normalizeGpuModel runs a chain of regexes; a catalog has only a few dozen distinct (name, VRAM) pairs,
// so offer parsing looks each up once. Keyed by name, then VRAM: no key string is built per record.
import { normalizeGpuModel, rememberPerKey, vramGbFromName } from '@gpu-shopper/domain';

const cache = new Map<string, Map<number | null, string>>();
const MAX_NAMES = 5_000;

export function cachedGpuModel(providerName: string, vramGb: number | null): string {
  let byVram = cache.get(providerName);
  if (byVram === undefined) {
    if (cache.size >= MAX_NAMES) cache.clear();
    byVram = new Map();
    cache.set(providerName, byVram);
  }
  let model = byVram.get(vramGb);
  if (model === undefined) {
    model = normalizeGpuModel(providerName, vramGb);
    byVram.set(vramGb, model);
  }
  return model;
}

/** vramGbFromName (a regex) once per distinct name: TensorDock names every host's GPUs by the same few dozen. */
export const cachedVramGbFromName: (providerName: string) => number | null = rememberPerKey(vramGbFromName, MAX_NAMES);
