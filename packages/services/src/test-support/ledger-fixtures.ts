// Builders for ledger, budget and metrics tests: consumers, priced sessions, and the usage events the
// lifecycle would write for them.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock, ProviderName, SessionState } from '@gpu-shopper/domain';
import { ConsumerEntity, UsageEventEntity, type SessionRow, type UsageKind } from '@gpu-shopper/db';
import { newId } from '../ids';
import { insertSession } from '../sessions/session-records';

export function seedConsumer(em: EntityManager, name: string, at: Date): string {
  return em.create(ConsumerEntity, { id: newId('con'), name, createdAt: at }).id;
}

export interface PricedSession {
  consumerId: string;
  provider?: ProviderName;
  gpuModel?: string;
  computePerHourUsd?: number;
  storagePerHourUsd?: number;
  state?: SessionState;
  reservationHours?: number;
  instanceId?: string;
}

/** A session as provisioning leaves it once the instance exists; the caller flushes. */
export function seedPricedSession(em: EntityManager, clock: Clock, input: PricedSession): SessionRow {
  const row = insertSession(em, clock, { consumerId: input.consumerId, workload: 'batch', reservationHours: input.reservationHours ?? 4, deploymentId: 'test', actor: 'test' });
  const computePerHourUsd = input.computePerHourUsd ?? 0.4;
  const storagePerHourUsd = input.storagePerHourUsd ?? 0.02;
  row.provider = input.provider ?? 'vastai';
  row.gpuModel = input.gpuModel ?? 'RTX 4090';
  row.providerInstanceId = input.instanceId ?? newId('inst');
  row.computePerHourUsd = computePerHourUsd;
  row.storagePerHourUsd = storagePerHourUsd;
  row.pricePerHourUsd = computePerHourUsd + storagePerHourUsd;
  row.state = input.state ?? 'ready';
  return row;
}

/** What the lifecycle writes when it observes a change; the caller flushes. */
export function seedUsage(em: EntityManager, session: SessionRow, kind: UsageKind, at: Date): void {
  em.create(UsageEventEntity, { sessionId: session.id, consumerId: session.consumerId, provider: session.provider ?? 'vastai', instanceId: session.providerInstanceId ?? 'unknown', kind, at });
}
