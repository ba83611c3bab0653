// Samples the GPUs every so often (nvidia-smi is slow) and keeps the latest probe for status and idle.
import type { Clock } from '../clock';
import type { RunCommand } from '../process/run-command';
import { probeGpus } from './nvidia-smi';
import type { GpuProbe } from './nvidia-smi';

export class GpuMonitor {
  latest: GpuProbe | null = null;
  private sampling: Promise<GpuProbe> | null = null;

  constructor(
    private readonly runCommand: RunCommand,
    private readonly clock: Clock,
    private readonly sampleIntervalMs: number,
  ) {}

  /** Samples when the last sample is older than the interval. */
  async tick(): Promise<void> {
    const latest = this.latest;
    if (latest && this.clock.now().getTime() - latest.sampledAt.getTime() < this.sampleIntervalMs) return;
    await this.sample();
  }

  async current(): Promise<GpuProbe> {
    return this.latest ?? this.sample();
  }

  private sample(): Promise<GpuProbe> {
    this.sampling ??= probeGpus(this.runCommand, this.clock.now()).then((probe) => {
      this.latest = probe;
      this.sampling = null;
      return probe;
    });
    return this.sampling;
  }
}
