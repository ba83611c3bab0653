// The agent's state and services in one object: what the routes use, what tick() advances
// (GPU sampling, engine readiness, idle, heartbeat, dead-man switch) and the graceful shutdown.
import { ActivityTracker } from './activity/activity-tracker';
import type { Clock } from './clock';
import type { AgentConfig } from './config';
import { DeadManSwitch } from './deadman/dead-man-switch';
import type { HeartbeatRequest, HeartbeatResponse } from './heartbeat/contract';
import { HeartbeatSender } from './heartbeat/heartbeat-sender';
import { IdleDetector } from './idle/idle-detector';
import type { IdleState } from './idle/idle-detector';
import { LlmEngine } from './llm/llm-engine';
import type { Logger } from './logger';
import { JobManager } from './ml/job-manager';
import type { SpawnFn } from './ml/job-manager';
import type { RunCommand } from './process/run-command';
import { GpuMonitor } from './status/gpu-monitor';

export interface RuntimeDeps {
  clock: Clock;
  fetch: typeof fetch;
  spawn: SpawnFn;
  runCommand: RunCommand;
  logger: Logger;
  baseEnv: Record<string, string | undefined>;
  /** Default: the clock's now. */
  startedAt?: Date;
}

export type ShutdownState = 'running' | 'draining' | 'stopped';

const DRAIN_WAIT_MS = 5000;

export class AgentRuntime {
  readonly startedAt: Date;
  readonly activity: ActivityTracker;
  readonly jobs: JobManager;
  readonly engine: LlmEngine;
  readonly gpu: GpuMonitor;
  readonly idleDetector: IdleDetector;
  readonly heartbeat: HeartbeatSender;
  readonly deadMan: DeadManSwitch;
  reservationEndsAt: Date | null;
  idle: IdleState = { idle: false, idleSince: null, reason: 'agent started' };
  shutdownState: ShutdownState = 'running';
  shutdownReason: string | null = null;
  private shutdownRequested: string | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    readonly config: AgentConfig,
    readonly deps: RuntimeDeps,
  ) {
    const { clock, logger } = deps;
    this.startedAt = deps.startedAt ?? clock.now();
    this.reservationEndsAt = config.reservationEndsAt;
    this.activity = new ActivityTracker(clock);
    this.jobs = new JobManager({ spawn: deps.spawn, clock, activity: this.activity, baseEnv: deps.baseEnv });
    this.engine = new LlmEngine({
      enabled: config.workload === 'llm',
      command: config.llm.command,
      model: config.llm.model,
      upstreamUrl: config.llm.upstreamUrl,
      readinessPollIntervalMs: config.llm.readinessPollIntervalMs,
      maxRestarts: config.llm.maxRestarts,
      restartBackoffMs: config.llm.restartBackoffMs,
      readyTimeoutMs: config.llm.readyTimeoutMs,
      spawn: deps.spawn,
      clock,
      logger,
      baseEnv: deps.baseEnv,
    });
    this.gpu = new GpuMonitor(deps.runCommand, clock, config.gpuSampleIntervalMs);
    this.idleDetector = new IdleDetector(config.workload, config.idle[config.workload], this.startedAt);
    this.heartbeat = new HeartbeatSender({
      shopperUrl: config.shopperUrl,
      sessionId: config.sessionId,
      nodeToken: config.nodeToken,
      ...config.heartbeat,
      clock,
      fetch: deps.fetch,
      logger,
      buildRequest: (final) => this.heartbeatRequest(final),
      onResponse: (response) => this.applyHeartbeatResponse(response),
    });
    this.deadMan = new DeadManSwitch({
      ...config.deadMan,
      powerOffCommand: config.powerOffCommand,
      vast: config.vast,
      clock,
      fetch: deps.fetch,
      runCommand: deps.runCommand,
      logger,
      beforeTerminate: () => this.windDown(),
    });
  }

  /** Ready to serve: an LLM node only while its engine serves the requested model. */
  get ready(): boolean {
    return this.shutdownState === 'running' && (this.engine.state === 'disabled' || this.engine.ready);
  }

  /** Advances every periodic duty once; the server calls it every second, tests call it directly. */
  tick(): Promise<void> {
    // Overlapping ticks (a slow heartbeat) share the one in progress instead of piling up.
    this.ticking ??= this.tickOnce().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    await Promise.all([this.gpu.tick(), this.engine.tick()]);
    this.evaluateIdle();
    if (this.shutdownState === 'draining') return;
    if (this.shutdownState === 'running') {
      await this.heartbeat.tick();
      if (this.shutdownRequested !== null) {
        await this.shutdown(this.shutdownRequested);
        return;
      }
    }
    // Still checked after a graceful shutdown: if the shopper then fails to destroy the node,
    // the node must still not outlive its reservation.
    await this.deadMan.check({
      reservationEndsAt: this.reservationEndsAt,
      lastShopperContactAt: this.heartbeat.lastContactAt ?? this.startedAt,
    });
  }

  evaluateIdle(): IdleState {
    const activity = this.activity.snapshot();
    this.idle = this.idleDetector.evaluate({
      now: this.deps.clock.now(),
      lastActivityAt: activity.lastActivityAt,
      inFlightRequests: activity.inFlight,
      runningJobs: this.jobs.runningCount(),
      gpuProbe: this.gpu.latest,
    });
    return this.idle;
  }

  heartbeatRequest(final: boolean): HeartbeatRequest {
    const activity = this.activity.snapshot();
    const probe = this.gpu.latest;
    // Repeated on every heartbeat while it holds: the shopper acts on the first one it can (a
    // heartbeat lost, or a session another replica holds, is answered by the next).
    const engineFailure = this.engine.failure();
    const utilizations = (probe?.gpus ?? []).map((gpu) => gpu.utilizationPercent).filter((value): value is number => value !== null);
    return {
      sessionId: this.config.sessionId,
      sentAt: this.deps.clock.now().toISOString(),
      status: {
        gpuProbe: probe?.state ?? 'none',
        gpuCount: probe?.gpus.length ?? 0,
        maxGpuUtilizationPercent: utilizations.length > 0 ? Math.max(...utilizations) : null,
        runningJobs: this.jobs.runningCount(),
        llmEngine: this.engine.state,
        llmEngineRestarts: this.engine.restarts,
        ready: this.ready,
        agentUptimeSeconds: Math.max(0, Math.round((this.deps.clock.now().getTime() - this.startedAt.getTime()) / 1000)),
        // The process's own start (before modules loaded), not this object's: the earliest proof of life.
        agentStartedAt: new Date(Math.round(performance.timeOrigin)).toISOString(),
        reservationEndsAt: this.reservationEndsAt?.toISOString() ?? null,
      },
      activity: {
        llmRequests: activity.llmRequests,
        fileTransfers: activity.fileTransfers,
        jobEvents: activity.jobEvents,
        lastActivityAt: activity.lastActivityAt?.toISOString() ?? null,
      },
      idle: { idle: this.idle.idle, idleSince: this.idle.idleSince?.toISOString() ?? null, reason: this.idle.reason },
      final,
      ...(engineFailure === null ? {} : { failure: { stage: 'engine' as const, reason: engineFailure } }),
    };
  }

  private applyHeartbeatResponse(response: HeartbeatResponse): void {
    // null means "the shopper has nothing newer": keep the end we know, so the dead-man switch stays armed.
    if (response.reservationEndsAt !== null) this.reservationEndsAt = new Date(response.reservationEndsAt);
    if (response.shutdown && this.shutdownRequested === null) {
      this.shutdownRequested = response.shutdownReason ?? 'shutdown requested by the shopper';
    }
  }

  /** Stops jobs and the engine, each with the configured grace; waits a little for transfers in flight. */
  private async windDown(): Promise<void> {
    const graceMs = this.config.shutdown.jobGraceMs;
    await Promise.all([this.jobs.stopAll(graceMs), this.engine.stop(graceMs)]);
    const deadline = Date.now() + DRAIN_WAIT_MS;
    while (this.activity.snapshot().inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Graceful shutdown: drain, stop jobs with a grace, then report a final heartbeat. Idempotent. */
  shutdown(reason: string): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.deps.logger.warn('graceful shutdown', { reason });
      this.shutdownReason = reason;
      this.shutdownState = 'draining';
      await this.windDown();
      this.evaluateIdle();
      await this.heartbeat.send(true);
      this.shutdownState = 'stopped';
    })();
    return this.shutdownPromise;
  }
}
