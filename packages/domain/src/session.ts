// A session: one consumer's hold on one GPU node, from request to teardown.
import { z } from 'zod';
import { ProviderNameSchema } from './provider';
import { ReservationSchema } from './reservation';
import { SessionStateSchema } from './session-state';

export const WORKLOADS = ['llm', 'training', 'batch'] as const;
export const WorkloadSchema = z.enum(WORKLOADS);
export type Workload = z.infer<typeof WorkloadSchema>;

export const END_REASONS = ['done', 'expired', 'idle', 'forced', 'orphan', 'provision_failed', 'budget', 'heartbeat_lost'] as const;
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

export const SessionDetailSchema = SessionSchema.extend({
  events: z.array(SessionEventSchema),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

/** `gpu-shopper:<deploymentId>:<sessionId>`: recognisable in any provider listing. */
export function sessionLabel(deploymentId: string, sessionId: string): string {
  return `gpu-shopper:${deploymentId}:${sessionId}`;
}

export function parseSessionLabel(label: string | null | undefined): { deploymentId: string; sessionId: string } | null {
  const match = /^gpu-shopper:([^:\s]+):([^:\s]+)$/.exec(label?.trim() ?? '');
  return match ? { deploymentId: match[1]!, sessionId: match[2]! } : null;
}
