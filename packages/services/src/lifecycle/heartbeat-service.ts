// Heartbeats from node agents: proof of life, the node's idle state, and the channel through which
// the shopper tells the agent about extensions and shutdowns. Authenticated by the node token.
import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { UnauthorizedError } from '@gpu-shopper/domain';
import { SessionEntity } from '@gpu-shopper/db';
import { hashNodeToken } from '../provisioning/provisioner';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { markReady } from './lifecycle-manager';
import { recordUsage } from './usage';
import { computeStartEstimate, refineComputeStart } from './instance-observation';

export interface Heartbeat {
  sentAt: string;
  status: { ready: boolean; runningJobs: number; maxGpuUtilizationPercent: number | null; agentStartedAt?: string };
  idle: { idle: boolean; idleSince: string | null; reason: string };
  final: boolean;
}

export interface HeartbeatAnswer {
  reservationEndsAt: string | null;
  shutdown: boolean;
  shutdownReason?: string;
}

export class HeartbeatService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly webhooks: WebhookNotifier,
  ) {}

  /** The session a node token belongs to; checked before the heartbeat itself is read (and again by `receive`). */
  async authenticate(sessionId: string, nodeToken: string | null) {
    const row = await this.em.findOne(SessionEntity, { id: sessionId });
    // Unknown session and wrong token answer alike, so a token cannot be used to probe session ids.
    if (row === null || !nodeToken || !row.nodeTokenHash || !sameHash(hashNodeToken(nodeToken), row.nodeTokenHash)) {
      throw new UnauthorizedError('invalid node token for this session');
    }
    return row;
  }

  async receive(sessionId: string, nodeToken: string | null, heartbeat: Heartbeat): Promise<HeartbeatAnswer> {
    const row = await this.authenticate(sessionId, nodeToken);
    const now = this.clock.now();
    row.lastHeartbeatAt = now;
    if (heartbeat.status.agentStartedAt !== undefined) {
      const agentStartedAt = new Date(heartbeat.status.agentStartedAt);
      // Only a plausible one (not in the future): it can only move the compute meter's start earlier.
      // Once known it is used for any later start (computeStartEstimate): only a new one needs a look.
      if (agentStartedAt <= now && agentStartedAt.getTime() !== row.agentStartedAt?.getTime()) {
        row.agentStartedAt = agentStartedAt;
        await refineComputeStart(this.em, row);
      }
    }
    row.agentReady = heartbeat.status.ready;
    row.agentIdle = heartbeat.idle.idle;
    row.agentIdleSince = heartbeat.idle.idleSince === null ? null : new Date(heartbeat.idle.idleSince);
    // The agent's final heartbeat: its jobs are stopped and flushed, no need to wait out the grace.
    if (heartbeat.final && row.state === 'stopping' && row.nextTeardownAt && row.nextTeardownAt > now) row.nextTeardownAt = now;
    let becameReady = false;
    // Ready only once the lifecycle has observed where the node listens: a heartbeat that beats the
    // first observation of the running instance would otherwise leave a ready session without an
    // endpoint for good (advanceProvisioning marks it ready on its next tick instead).
    if (row.state === 'provisioning' && row.providerInstanceId && row.nodeEndpoint && heartbeat.status.ready) {
      // The agent can only speak from a running node: that is the provider's "running" too.
      await recordUsage(this.em, row, 'compute_started', computeStartEstimate(row, now));
      row.instanceSeenRunningAt = now;
      markReady(this.em, this.clock, row);
      becameReady = true;
    }
    // The event commits with the change that caused it (outbox): a heartbeat that loses a race announces nothing.
    if (becameReady) await this.webhooks.notify('session.ready', row.consumerId, { sessionId: row.id, nodeEndpoint: row.nodeEndpoint }, { em: this.em });
    await this.em.flush();
    const ending = row.state === 'stopping' || row.state === 'stopped' || row.state === 'terminated' || row.state === 'failed';
    return {
      reservationEndsAt: row.reservationEndsAt.toISOString(),
      shutdown: ending,
      ...(ending ? { shutdownReason: row.endReason ?? row.state } : {}),
    };
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
