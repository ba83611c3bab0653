// A deterministic catalog of normalized offers for benchmarks: the same 5,000 offers every run.
import type { Offer } from '@gpu-shopper/domain';

const MODELS = [
  { gpuModel: 'RTX 4090', vram: 24, price: 0.35 },
  { gpuModel: 'RTX 3090', vram: 24, price: 0.2 },
  { gpuModel: 'RTX A6000', vram: 48, price: 0.55 },
  { gpuModel: 'A100 80GB', vram: 80, price: 1.3 },
  { gpuModel: 'H100 SXM', vram: 80, price: 2.4 },
  { gpuModel: 'L40S', vram: 48, price: 0.9 },
];
const PLACES = [
  ['Texas', 'US'],
  ['Quebec', 'CA'],
  ['Bavaria', 'DE'],
  ['South Korea', 'KR'],
  ['Idaho', 'US'],
] as const;

export function benchmarkOffers(count: number): Offer[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: count }, (_, index) => {
    const model = MODELS[index % MODELS.length]!;
    const place = PLACES[Math.floor(random() * PLACES.length)]!;
    const gpuCount = [1, 1, 1, 2, 4, 8][Math.floor(random() * 6)]!;
    const compute = model.price * gpuCount * (0.7 + random() * 0.8);
    const storage = 0.0139;
    return {
      id: `${index % 3 === 0 ? 'tensordock' : 'vastai'}:${100_000 + index}`,
      provider: index % 3 === 0 ? 'tensordock' : 'vastai',
      providerOfferId: String(100_000 + index),
      gpuModel: model.gpuModel,
      providerGpuName: model.gpuModel,
      gpuCount,
      vramGbPerGpu: model.vram,
      pricePerHourUsd: Math.round((compute + storage) * 10_000) / 10_000,
      priceBreakdown: { computePerHourUsd: Math.round(compute * 10_000) / 10_000, storagePerHourUsd: storage },
      region: place[0],
      country: place[1],
      reliability: Math.round((0.9 + random() * 0.1) * 1000) / 1000,
      availableForHours: Math.round(random() * 500),
      cpuCores: 8 * gpuCount,
      ramGb: 32 * gpuCount,
      diskGb: 50,
      verified: random() > 0.2,
      fetchedAt: '2026-11-27T00:00:00.000Z',
      stale: false,
    } satisfies Offer;
  });
}
