// Decides whether the node is idle: a sustained absence of every activity signal for the
// workload's threshold. Each evaluation either sees the node busy (and remembers when) or not.
import type { IdlePolicy, Workload } from '../config';
import type { GpuProbe } from '../status/nvidia-smi';

export interface IdleSignals {
  now: Date;
  lastActivityAt: Date | null;
  inFlightRequests: number;
  runningJobs: number;
  /** Latest GPU probe; a failed probe counts as busy, because not knowing must not power a node off. */
  gpuProbe: GpuProbe | null;
}

export interface IdleState {
  idle: boolean;
  /** Start of the quiet period that made the node idle; null while busy. */
  idleSince: Date | null;
  reason: string;
}

export class IdleDetector {
  private lastBusyAt: Date;
  private lastBusyReason = 'agent started';

  constructor(
    private readonly workload: Workload,
    private readonly policy: IdlePolicy,
    startedAt: Date,
  ) {
    this.lastBusyAt = startedAt;
  }

  /** Why the node is busy right now, or null when no signal says so at this instant. */
  private busyReason(signals: IdleSignals): string | null {
    if (signals.inFlightRequests > 0) return `${signals.inFlightRequests} request(s) in progress`;
    if (signals.runningJobs > 0) return `${signals.runningJobs} job(s) running`;
    const probe = signals.gpuProbe;
    if (probe?.state === 'failed') return 'GPU probe failed';
    if (probe?.state === 'ok') {
      const busiest = Math.max(...probe.gpus.map((gpu) => gpu.utilizationPercent ?? 100));
      if (busiest >= this.policy.gpuActivePercent) return `GPU utilization ${busiest}% ≥ ${this.policy.gpuActivePercent}%`;
    }
    return null;
  }

  evaluate(signals: IdleSignals): IdleState {
    const busy = this.busyReason(signals);
    if (busy !== null) {
      this.lastBusyAt = signals.now;
      this.lastBusyReason = busy;
    }
    if (signals.lastActivityAt && signals.lastActivityAt > this.lastBusyAt) {
      this.lastBusyAt = signals.lastActivityAt;
      this.lastBusyReason = 'user activity';
    }
    const quietMs = signals.now.getTime() - this.lastBusyAt.getTime();
    const thresholdMin = Math.round(this.policy.idleAfterMs / 60_000);
    if (quietMs >= this.policy.idleAfterMs) {
      return {
        idle: true,
        idleSince: this.lastBusyAt,
        reason: `no activity for ${Math.floor(quietMs / 60_000)} min (${this.workload} threshold ${thresholdMin} min; last: ${this.lastBusyReason})`,
      };
    }
    return { idle: false, idleSince: null, reason: busy ?? `quiet for ${Math.floor(quietMs / 60_000)} of ${thresholdMin} min (last: ${this.lastBusyReason})` };
  }
}
