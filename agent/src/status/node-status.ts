// The node's full status report (GET /node/v1/status): health, resources, jobs, engine, activity, idle.
import { z } from 'zod';
import { LLM_ENGINE_STATES } from '../llm/engine-state';
import type { AgentRuntime } from '../runtime';
import { readSystemUsage } from './system-usage';

const gpuSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  utilizationPercent: z.number().nullable(),
  memoryUsedMiB: z.number().nullable(),
  memoryTotalMiB: z.number().nullable(),
  temperatureC: z.number().nullable(),
  powerDrawW: z.number().nullable(),
});

export const nodeStatusSchema = z.object({
  sessionId: z.string(),
  workload: z.enum(['llm', 'training', 'batch']),
  nodeTime: z.iso.datetime(),
  ready: z.boolean(),
  shutdownState: z.enum(['running', 'draining', 'stopped']),
  agentStartedAt: z.iso.datetime(),
  agentUptimeSeconds: z.number(),
  hostUptimeSeconds: z.number(),
  gpu: z.object({ probe: z.enum(['ok', 'none', 'failed']), error: z.string().nullable(), sampledAt: z.iso.datetime(), gpus: z.array(gpuSchema) }),
  cpu: z.object({ cores: z.number().int(), loadAverage1m: z.number(), loadAverage5m: z.number() }),
  memory: z.object({ totalBytes: z.number(), usedBytes: z.number(), agentRssBytes: z.number() }),
  disk: z.object({ path: z.string(), totalBytes: z.number().nullable(), freeBytes: z.number().nullable() }),
  jobs: z.object({ running: z.number().int(), total: z.number().int() }),
  llmEngine: z.object({
    state: z.enum(LLM_ENGINE_STATES),
    managed: z.boolean(),
    model: z.string().nullable(),
    exitCode: z.number().nullable(),
    lastReadyAt: z.iso.datetime().nullable(),
    /** Restarts after the managed engine exited, and how many it gets before it is given up (`failed`). */
    restarts: z.number().int(),
    maxRestarts: z.number().int(),
    /** What the engine's /v1/models last listed; null before a well-formed answer. */
    servedModels: z.array(z.string()).nullable(),
    notReadyReason: z.string().nullable(),
    /** The failure the node reports to the shopper (engine given up, or not ready by the agent's deadline). */
    failureReason: z.string().nullable(),
    /** The engine's last output lines while it is not serving (secrets removed). */
    recentOutput: z.array(z.string()),
  }),
  activity: z.object({
    llmRequests: z.number().int(),
    fileTransfers: z.number().int(),
    jobEvents: z.number().int(),
    inFlight: z.number().int(),
    lastActivityAt: z.iso.datetime().nullable(),
  }),
  idle: z.object({ idle: z.boolean(), idleSince: z.iso.datetime().nullable(), reason: z.string() }),
  reservationEndsAt: z.iso.datetime().nullable(),
  shopper: z.object({
    heartbeatEnabled: z.boolean(),
    lastContactAt: z.iso.datetime().nullable(),
    consecutiveFailures: z.number().int(),
    deadManState: z.enum(['armed', 'firing', 'fired']),
  }),
});

export type NodeStatus = z.infer<typeof nodeStatusSchema>;

export async function buildNodeStatus(runtime: AgentRuntime): Promise<NodeStatus> {
  const now = runtime.deps.clock.now();
  const [probe, usage] = await Promise.all([runtime.gpu.current(), readSystemUsage(runtime.config.workspaceRoot)]);
  const idle = runtime.evaluateIdle();
  const activity = runtime.activity.snapshot();
  const engine = runtime.engine.status();
  const jobs = runtime.jobs.list();
  return {
    sessionId: runtime.config.sessionId,
    workload: runtime.config.workload,
    nodeTime: now.toISOString(),
    ready: runtime.ready,
    shutdownState: runtime.shutdownState,
    agentStartedAt: runtime.startedAt.toISOString(),
    agentUptimeSeconds: Math.max(0, Math.round((now.getTime() - runtime.startedAt.getTime()) / 1000)),
    hostUptimeSeconds: usage.hostUptimeSeconds,
    gpu: { probe: probe.state, error: probe.state === 'failed' ? probe.error : null, sampledAt: probe.sampledAt.toISOString(), gpus: probe.gpus },
    cpu: usage.cpu,
    memory: usage.memory,
    disk: usage.disk,
    jobs: { running: jobs.filter((job) => job.state === 'running').length, total: jobs.length },
    llmEngine: {
      state: engine.state,
      managed: engine.managed,
      model: engine.model,
      exitCode: engine.exitCode,
      lastReadyAt: engine.lastReadyAt,
      restarts: engine.restarts,
      maxRestarts: engine.maxRestarts,
      servedModels: engine.servedModels,
      notReadyReason: engine.notReadyReason,
      failureReason: engine.failureReason,
      recentOutput: engine.recentOutput,
    },
    activity: { ...activity, lastActivityAt: activity.lastActivityAt?.toISOString() ?? null },
    idle: { idle: idle.idle, idleSince: idle.idleSince?.toISOString() ?? null, reason: idle.reason },
    reservationEndsAt: runtime.reservationEndsAt?.toISOString() ?? null,
    shopper: {
      heartbeatEnabled: runtime.heartbeat.enabled,
      lastContactAt: runtime.heartbeat.lastContactAt?.toISOString() ?? null,
      consecutiveFailures: runtime.heartbeat.consecutiveFailures,
      deadManState: runtime.deadMan.state,
    },
  };
}
