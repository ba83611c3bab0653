// A seeded, varied catalog of Vast.ai offers. Each offer keeps the full real record shape; prices that
// depend on the request (allocated_storage) and on time (duration) are computed when served.
import { between, createRandom, intBetween, pick, pickWeighted, type Random } from '../shared/prng';
import { SIM_GPU_MODELS, type SimGpuModel } from '../shared/gpu-catalog';
import { VAST_BUNDLE_TEMPLATE } from './bundle-template';

/** The parts of an offer that are fixed at generation; the rest of the record is derived per request. */
export interface VastSimOffer {
  id: number;
  record: Record<string, unknown>;
  model: SimGpuModel;
  /** True while someone (maybe us) rents it: it is then absent from search and cannot be created. */
  rented: boolean;
}

const GEOLOCATIONS: readonly (readonly [string | null, number])[] = [
  ['California, US', 10], ['Texas, US', 8], ['Virginia, US', 6], ['Oregon, US', 4], [', US', 3], ['Quebec, CA', 5],
  ['Ontario, CA', 3], ['Germany, DE', 6], ['Netherlands, NL', 5], ['Finland, FI', 3], ['France, FR', 3],
  ['United Kingdom, GB', 4], ['Poland, PL', 2], ['Sweden, SE', 2], ['South Korea, KR', 4], ['Japan, JP', 3],
  ['Taiwan, TW', 2], ['Singapore, SG', 2], ['Australia, AU', 2], ['Brazil, BR', 1], ['India, IN', 1], [null, 1],
];
const CPU_NAMES = ['AMD EPYC 7543 32-Core Processor', 'AMD EPYC 9554 64-Core Processor', 'Xeon® Gold 6342', 'AMD Ryzen 9 7950X 16-Core Processor', 'Xeon® E5-2650 v4 ', 'AMD EPYC 7763 64-Core Processor'];
const DISK_NAMES = ['Samsung SSD 990 PRO 2TB', 'nvme', 'MSI M480 PRO 2TB', 'WD_BLACK SN850X 4000GB', 'INTEL SSDPE2KX040T8'];
const DRIVERS = [['535.183.01', 12.2], ['550.127.05', 12.4], ['560.35.03', 12.6], ['570.124.06', 12.8]] as const;

export const VAST_SIM_FIRST_OFFER_ID = 20_000_000;

export function generateVastCatalog(options: { seed: number; offerCount: number; nowMs: number }): VastSimOffer[] {
  const random = createRandom(options.seed);
  const offers: VastSimOffer[] = [];
  const modelWeights = SIM_GPU_MODELS.map((model) => [model, model.weight] as const);
  for (let index = 0; index < options.offerCount; index++) {
    const model = pickWeighted(random, modelWeights);
    offers.push(generateOffer(random, model, VAST_SIM_FIRST_OFFER_ID + index * 7, options.nowMs));
  }
  return offers;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function generateOffer(random: Random, model: SimGpuModel, id: number, nowMs: number): VastSimOffer {
  const numGpus = pickWeighted(random, model.counts);
  const machineGpus = Math.max(numGpus, pick(random, [1, 2, 4, 8, 8]));
  const gpuFrac = numGpus / machineGpus;
  const machineCores = pick(random, [16, 24, 32, 48, 64, 96, 128, 192]);
  const machineRamMb = Math.round(machineCores * pick(random, [2, 4, 8]) * 1024 * between(random, 0.95, 1.0));
  const perGpuPriceUsd = between(random, model.pricePerGpuHourUsd[0], model.pricePerGpuHourUsd[1]);
  const dphBase = round(perGpuPriceUsd * numGpus, 6);
  const storageCost = round(pick(random, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]), 4);
  // Reliability skews high, with a tail of flaky community hosts.
  const reliability = round(random() < 0.85 ? between(random, 0.97, 0.9995) : between(random, 0.75, 0.97), 7);
  const durationSeconds = random() < 0.15 ? between(random, 1800, 12 * 3600) : between(random, 1, 180) * 86_400;
  const startSeconds = nowMs / 1000 - between(random, 3600, 60 * 86_400);
  const [driverVersion, cudaMax] = pick(random, DRIVERS);
  const dlperf = round(model.tflops * numGpus * between(random, 0.55, 0.75) * 0.6, 4);
  const gpuRamMb = model.vramGb * 1024 - intBetween(random, 0, 40);
  const verification = pickWeighted(random, [['verified', 62], ['unverified', 33], ['deverified', 5]] as const);
  const record: Record<string, unknown> = structuredClone({ ...VAST_BUNDLE_TEMPLATE });
  Object.assign(record, {
    id,
    ask_contract_id: id,
    bundle_id: 1_500_000_000 + id,
    machine_id: 10_000 + Math.floor(id / 7) * 3,
    host_id: 100_000 + intBetween(random, 0, 40_000),
    gpu_name: model.vastName,
    num_gpus: numGpus,
    gpu_ram: gpuRamMb,
    gpu_total_ram: gpuRamMb * numGpus,
    gpu_frac: gpuFrac,
    gpu_ids: Array.from({ length: numGpus }, (_, n) => 70_000 + (id % 10_000) * 8 + n),
    gpu_max_power: round(model.tflops > 500 ? 700 : 450, 1),
    gpu_mem_bw: round(model.vramGb > 60 ? between(random, 1900, 4800) : between(random, 700, 1100), 1),
    compute_cap: model.computeCap,
    cpu_cores: machineCores,
    cpu_cores_effective: round(machineCores * gpuFrac, 1),
    cpu_ram: machineRamMb,
    cpu_name: pick(random, CPU_NAMES),
    cpu_ghz: round(between(random, 2.0, 4.5), 1),
    disk_space: round(between(random, 60, 3000), 2),
    disk_bw: round(between(random, 800, 7000), 1),
    disk_name: pick(random, DISK_NAMES),
    dph_base: dphBase,
    storage_cost: storageCost,
    min_bid: round(dphBase * between(random, 0.4, 0.8), 4),
    inet_up: round(between(random, 50, 5000), 1),
    inet_down: round(between(random, 50, 5000), 1),
    inet_up_cost: round(pick(random, [0, 0.00390625, 0.0078125, 0.01]), 8),
    inet_down_cost: round(pick(random, [0, 0.0026041666666666665, 0.005, 0.01]), 8),
    reliability,
    reliability2: reliability,
    reliability_mult: round(reliability * 0.987, 7),
    verification,
    vericode: verification === 'verified' ? 1 : 0,
    geolocation: pickWeighted(random, GEOLOCATIONS),
    geolocode: intBetween(random, 1e8, 9e8),
    public_ipaddr: `${intBetween(random, 11, 223)}.${intBetween(random, 0, 255)}.${intBetween(random, 0, 255)}.${intBetween(random, 1, 254)}`,
    static_ip: random() < 0.7,
    direct_port_count: intBetween(random, 0, 400),
    start_date: round(startSeconds, 6),
    end_date: Math.round(nowMs / 1000 + durationSeconds),
    driver_version: driverVersion,
    driver_vers: Number(driverVersion.replace(/\./g, '')),
    cuda_max_good: cudaMax,
    dlperf,
    total_flops: round(model.tflops * numGpus * 0.5, 4),
    hosting_type: random() < 0.3 ? 1 : 0,
    pci_gen: pick(random, [3.0, 4.0, 5.0]),
    pcie_bw: round(between(random, 10, 50), 1),
    os_version: pick(random, ['20.04', '22.04', '24.04']),
    rentable: true,
    rented: false,
    is_bid: false,
  });
  return { id, record, model, rented: false };
}

/**
 * The record as served: prices for the requested storage and the time left at `nowMs`,
 * with the same derived fields and formula the real API uses (dph_total = dph_base + storage_cost*GB/720).
 */
export function serveVastOffer(offer: VastSimOffer, allocatedStorageGb: number, nowMs: number, offerType: 'on-demand' | 'bid' | 'reserved' = 'on-demand'): Record<string, unknown> {
  const record = { ...offer.record };
  // An interruptible search prices the GPU at the host's minimum bid (what the CLI shows for --interruptible).
  const interruptible = offerType === 'bid';
  const dphBase = interruptible ? (record.min_bid as number) : (record.dph_base as number);
  record.is_bid = interruptible;
  const storageHourUsd = ((record.storage_cost as number) * allocatedStorageGb) / 720;
  const dphTotal = dphBase + storageHourUsd;
  const endDate = record.end_date as number;
  record.storage_total_cost = storageHourUsd;
  record.dph_total = dphTotal;
  record.discounted_dph_total = dphTotal;
  record.dph_total_adj = dphTotal * 1.02;
  record.duration = Math.max(0, endDate - nowMs / 1000);
  record.dlperf_per_dphtotal = dphTotal > 0 ? (record.dlperf as number) / dphTotal : 0;
  record.flops_per_dphtotal = dphTotal > 0 ? (record.total_flops as number) / dphTotal : 0;
  record.vram_costperhour = dphTotal / ((record.gpu_total_ram as number) / 1024);
  record.score = (record.dlperf_per_dphtotal as number) * (record.reliability2 as number);
  record.search = { discountTotalHour: 0, discountedTotalPerHour: dphTotal, diskHour: storageHourUsd, gpuCostPerHour: dphBase, totalHour: dphTotal };
  record.instance = { discountTotalHour: 0, discountedTotalPerHour: storageHourUsd, diskHour: storageHourUsd, gpuCostPerHour: 0, totalHour: storageHourUsd };
  record.rented = offer.rented;
  record.rentable = !offer.rented;
  return record;
}
