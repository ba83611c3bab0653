// The GPU models both simulated marketplaces sell, with each provider's own spelling and a realistic price band.

export interface SimGpuModel {
  /** Vast gpu_name. */
  vastName: string;
  /** TensorDock v0Name. */
  tensordockName: string;
  displayName: string;
  vramGb: number;
  computeCap: number;
  /** $/GPU/hour band on a marketplace. */
  pricePerGpuHourUsd: readonly [number, number];
  /** fp16 TFLOPS per GPU, for Vast's score fields. */
  tflops: number;
  /** Relative share of the catalog. */
  weight: number;
  /** GPU counts offered, with weights. */
  counts: readonly (readonly [number, number])[];
}

const CONSUMER_COUNTS = [[1, 45], [2, 25], [4, 18], [8, 8], [3, 2], [6, 2]] as const;
const DATACENTER_COUNTS = [[1, 30], [2, 20], [4, 20], [8, 30]] as const;
const BIG_COUNTS = [[1, 15], [2, 10], [4, 15], [8, 60]] as const;

export const SIM_GPU_MODELS: readonly SimGpuModel[] = [
  { vastName: 'RTX 3090', tensordockName: 'geforcertx3090-pcie-24gb', displayName: 'GeForce RTX 3090 PCIe 24GB', vramGb: 24, computeCap: 860, pricePerGpuHourUsd: [0.13, 0.3], tflops: 71, weight: 18, counts: CONSUMER_COUNTS },
  { vastName: 'RTX 4090', tensordockName: 'geforcertx4090-pcie-24gb', displayName: 'GeForce RTX 4090 PCIe 24GB', vramGb: 24, computeCap: 890, pricePerGpuHourUsd: [0.25, 0.6], tflops: 165, weight: 22, counts: CONSUMER_COUNTS },
  { vastName: 'RTX 5090', tensordockName: 'geforcertx5090-pcie-32gb', displayName: 'GeForce RTX 5090 PCIe 32GB', vramGb: 32, computeCap: 1200, pricePerGpuHourUsd: [0.45, 0.95], tflops: 210, weight: 6, counts: CONSUMER_COUNTS },
  { vastName: 'RTX A6000', tensordockName: 'rtxa6000-pcie-48gb', displayName: 'RTX A6000 PCIe 48GB', vramGb: 48, computeCap: 860, pricePerGpuHourUsd: [0.38, 0.75], tflops: 77, weight: 9, counts: DATACENTER_COUNTS },
  { vastName: 'A100 PCIE', tensordockName: 'a100-pcie-40gb', displayName: 'A100 PCIe 40GB', vramGb: 40, computeCap: 800, pricePerGpuHourUsd: [0.55, 1.1], tflops: 312, weight: 6, counts: DATACENTER_COUNTS },
  { vastName: 'A100 SXM4', tensordockName: 'a100-sxm4-80gb', displayName: 'A100 SXM4 80GB', vramGb: 80, computeCap: 800, pricePerGpuHourUsd: [0.8, 1.6], tflops: 312, weight: 8, counts: DATACENTER_COUNTS },
  { vastName: 'L40S', tensordockName: 'l40s-pcie-48gb', displayName: 'L40S PCIe 48GB', vramGb: 48, computeCap: 890, pricePerGpuHourUsd: [0.55, 1.05], tflops: 362, weight: 7, counts: DATACENTER_COUNTS },
  { vastName: 'H100 PCIE', tensordockName: 'h100-pcie-80gb', displayName: 'H100 PCIe 80GB', vramGb: 80, computeCap: 900, pricePerGpuHourUsd: [1.4, 2.4], tflops: 756, weight: 6, counts: DATACENTER_COUNTS },
  { vastName: 'H100 SXM', tensordockName: 'h100-sxm5-80gb', displayName: 'H100 SXM5 80GB', vramGb: 80, computeCap: 900, pricePerGpuHourUsd: [1.6, 2.9], tflops: 989, weight: 9, counts: BIG_COUNTS },
  { vastName: 'H200', tensordockName: 'h200-sxm5-141gb', displayName: 'H200 SXM5 141GB', vramGb: 141, computeCap: 900, pricePerGpuHourUsd: [2.3, 3.9], tflops: 989, weight: 5, counts: BIG_COUNTS },
  { vastName: 'B200', tensordockName: 'b200-sxm6-180gb', displayName: 'B200 SXM6 180GB', vramGb: 180, computeCap: 1000, pricePerGpuHourUsd: [3.4, 5.6], tflops: 2250, weight: 4, counts: BIG_COUNTS },
];
