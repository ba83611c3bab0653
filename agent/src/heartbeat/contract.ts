// The wire contract between the agent and the shopper's heartbeat endpoint:
// POST {GPU_SHOPPER_URL}/api/v1/sessions/{sessionId}/heartbeat, Authorization: Bearer <session token>.
// The control plane imports these types (and may reuse the schemas) to implement the receiving side.
import { z } from 'zod';
import { LLM_ENGINE_STATES } from '../llm/engine-state';

/** The longest failure reason a node sends (the shopper refuses longer ones). */
export const FAILURE_REASON_MAX_CHARS = 2000;

export const heartbeatStatusSummarySchema = z.object({
  gpuProbe: z.enum(['ok', 'none', 'failed']),
  gpuCount: z.number().int().min(0),
  /** Highest utilization across GPUs; null without GPU data. */
  maxGpuUtilizationPercent: z.number().nullable(),
  runningJobs: z.number().int().min(0),
  llmEngine: z.enum(LLM_ENGINE_STATES),
  /** Times the managed LLM engine was restarted after exiting (0 without one). */
  llmEngineRestarts: z.number().int().min(0),
  ready: z.boolean(),
  agentUptimeSeconds: z.number().min(0),
  /**
   * When the agent's process started (ms precision): proof the node was running by then. The
   * shopper meters compute from the provider's running state, which it only sees when it looks;
   * this bounds when that began even if the shopper was not looking (restarted, say).
   */
  agentStartedAt: z.iso.datetime().optional(),
  reservationEndsAt: z.iso.datetime().nullable(),
});

/**
 * Why the node cannot serve, reported so the shopper need not wait out its provisioning deadline:
 * `bootstrap` from the node's start script (the agent never came up), `engine` from the agent (its
 * LLM engine was given up, or is not ready by the agent's own deadline). No secrets in `reason`.
 */
export const heartbeatFailureSchema = z.object({
  stage: z.enum(['bootstrap', 'engine']),
  reason: z.string().max(FAILURE_REASON_MAX_CHARS),
});

export const heartbeatRequestSchema = z.object({
  sessionId: z.string(),
  sentAt: z.iso.datetime(),
  status: heartbeatStatusSummarySchema,
  /** Cumulative counters since the agent started; the receiver diffs them. */
  activity: z.object({
    llmRequests: z.number().int().min(0),
    fileTransfers: z.number().int().min(0),
    jobEvents: z.number().int().min(0),
    lastActivityAt: z.iso.datetime().nullable(),
  }),
  idle: z.object({
    idle: z.boolean(),
    idleSince: z.iso.datetime().nullable(),
    reason: z.string(),
  }),
  /** True on the last heartbeat, sent after a graceful shutdown. */
  final: z.boolean(),
  /** Present on every heartbeat while the node has a failure to report. */
  failure: heartbeatFailureSchema.optional(),
});

export const heartbeatResponseSchema = z.object({
  /** The reservation end as the shopper knows it (after an extension, later than before). */
  reservationEndsAt: z.iso.datetime({ offset: true }).nullable(),
  shutdown: z.boolean(),
  shutdownReason: z.string().optional(),
});

export type HeartbeatStatusSummary = z.infer<typeof heartbeatStatusSummarySchema>;
export type HeartbeatFailure = z.infer<typeof heartbeatFailureSchema>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

export const heartbeatPath = (sessionId: string) => `/api/v1/sessions/${encodeURIComponent(sessionId)}/heartbeat`;
