// A session: one consumer's hold on one GPU node, from request to teardown.
import { z } from 'zod';
import { ProviderNameSchema } from './provider';
import { ReservationSchema } from './reservation';
import { SessionStateSchema } from './session-state';

export const WORKLOADS = ['llm', 'training', 'batch'] as const;
export const WorkloadSchema = z.enum(WORKLOADS);
export type Workload = z.infer<typeof WorkloadSchema>;

export const END_REASONS = ['done', 'expired', 'idle', 'forced', 'orphan', 'provision_failed', 'budget', 'heartbeat_lost', 'lost'] as const;
export const EndReasonSchema = z.enum(END_REASONS);
export type EndReason = z.infer<typeof EndReasonSchema>;

export const StoragePolicySchema = z.enum(['preserve', 'destroy']);
export type StoragePolicy = z.infer<typeof StoragePolicySchema>;

export const SessionEventSchema = z.object({
  at: z.iso.datetime(),
  from: SessionStateSchema.nullable(),
  to: SessionStateSchema,
  reason: z.string(),
  actor: z.string(),
});
export type SessionEvent = z.infer<typeof SessionEventSchema>;

export const SessionSchema = z.object({
  id: z.string(),
  consumerId: z.string(),
  state: SessionStateSchema,
  workload: WorkloadSchema,
  llmModel: z.string().nullable(),
  offerId: z.string().nullable(),
  provider: ProviderNameSchema.nullable(),
  providerInstanceId: z.string().nullable(),
  gpuModel: z.string().nullable(),
  pricePerHourUsd: z.number().nullable(),
  reservation: ReservationSchema,
  /** The provider-side label that lets us recognise our instance from a listing alone. */
  label: z.string(),
  endReason: EndReasonSchema.nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  readyAt: z.iso.datetime().nullable(),
  endedAt: z.iso.datetime().nullable(),
});
export type Session = z.infer<typeof SessionSchema>;


/** `gpu-shopper:<deploymentId>:<sessionId>`: recognisable in any provider listing. */
export function sessionLabel(deploymentId: string, sessionId: string): string {
  return `gpu-shopper:${deploymentId}:${sessionId}`;
}

export function parseSessionLabel(label: string | null | undefined): { deploymentId: string; sessionId: string } | null {
  const match = /^gpu-shopper:([^:\s]+):([^:\s]+)$/.exec(label?.trim() ?? '');
  return match ? { deploymentId: match[1]!, sessionId: match[2]! } : null;
}

export const OverrideRequestSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  consumerId: z.string(),
  extraHours: z.number().int(),
  requestedEndsAt: z.iso.datetime(),
  status: z.enum(['pending', 'approved', 'denied']),
  requestedBy: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type OverrideRequest = z.infer<typeof OverrideRequestSchema>;

export const SessionCredentialsSchema = z.object({
  sessionId: z.string(),
  nodeEndpoint: z.string().nullable(),
  /** Bearer token for the node agent's API (and the OpenAI-compatible endpoint's API key). */
  nodeToken: z.string(),
  ssh: z.object({
    host: z.string().nullable(),
    port: z.number().int().nullable(),
    user: z.string(),
    publicKey: z.string().nullable(),
    /** Present when the shopper generated the key pair for this session. */
    privateKey: z.string().nullable(),
  }),
});
export type SessionCredentials = z.infer<typeof SessionCredentialsSchema>;

/** created: rented; offer_gone / failed: the create failed; deadline / lost: the node never became ready. */
export const PROVISION_OUTCOMES = ['pending', 'created', 'offer_gone', 'failed', 'deadline', 'lost'] as const;

/** One try at renting an offer for the session (failover leaves one per offer tried). */
export const ProvisionAttemptSchema = z.object({
  attempt: z.number().int(),
  provider: ProviderNameSchema,
  offerId: z.string(),
  instanceId: z.string().nullable(),
  outcome: z.enum(PROVISION_OUTCOMES),
  error: z.string().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ProvisionAttempt = z.infer<typeof ProvisionAttemptSchema>;

export const SessionDetailSchema = SessionSchema.extend({
  events: z.array(SessionEventSchema),
  attempts: z.array(ProvisionAttemptSchema),
  overrideRequests: z.array(OverrideRequestSchema),
  /** Where the agent answers (once known); credentials come from the credentials endpoint. */
  nodeEndpoint: z.string().nullable(),
  lastHeartbeatAt: z.iso.datetime().nullable(),
  agentIdle: z.boolean(),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;
