// Heartbeats from node agents: proof of life, the node's idle state, failures the node reports (its
// bootstrap or its LLM engine), and the channel through which the shopper tells the agent about
// extensions and shutdowns. Authenticated by the node token.
import { timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { UnauthorizedError } from '@gpu-shopper/domain';
import { SessionEntity, type SessionRow } from '@gpu-shopper/db';
import { hashNodeToken } from '../provisioning/provisioner';
import type { ProviderRegistry } from '../provider-registry';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { log, type ServiceLogger } from '../logging/service-logger';
import { markReady } from './lifecycle-manager';
import { isMeterOpen, recordUsage } from './usage';
import { computeStartEstimate, observeInstance, refineComputeStart } from './instance-observation';
import { readInstanceWithin } from './instance-read';

/** Where a node failed: its start script (the agent never ran), or the agent's LLM engine. */
export type NodeFailureStage = 'bootstrap' | 'engine';

export interface Heartbeat {
  /** When the node sent it (informational; a bootstrap script may leave it out). */
  sentAt?: string;
  status: { ready: boolean; runningJobs: number; maxGpuUtilizationPercent: number | null; agentStartedAt?: string };
  idle: { idle: boolean; idleSince: string | null; reason: string };
  final: boolean;
  /** The node cannot serve; repeated on every heartbeat while it holds. */
  failure?: { stage: NodeFailureStage; reason: string };
}

export interface HeartbeatServiceOptions {
  /**
   * Fails the provisioning attempt of a node that reports a failure, as a missed deadline would (fail
   * over to the next offer, or end the session): the lifecycle's `failReportedByNode`. Resolves true
   * when it did. Without it such a session waits for its provisioning deadline.
   */
  failProvisioning?: (sessionId: string, reason: string) => Promise<boolean>;
  logger?: ServiceLogger;
}

export interface HeartbeatAnswer {
  reservationEndsAt: string | null;
  shutdown: boolean;
  shutdownReason?: string;
}

/** How long a heartbeat waits for the provider to say where its booting node listens; then the provider sync does. */
const ENDPOINT_READ_TIMEOUT_MS = 3_000;

export class HeartbeatService {
  /**
   * `providers`: with them, the first ready heartbeat of a booting node whose address is not yet
   * known reads its instance at once, so the session is ready now rather than at the next provider
   * sync. Without them (tests of other things), readiness waits for that sync.
   */
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly webhooks: WebhookNotifier,
    private readonly providers: ProviderRegistry | null = null,
    private readonly options: HeartbeatServiceOptions = {},
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
    const reported = heartbeat.failure ?? null;
    const failure = reported === null ? null : nodeFailureReason(reported);
    // A node that reports a failure is not ready, whatever else it says.
    const ready = heartbeat.status.ready && failure === null;
    if (row.state === 'provisioning' && row.provider && row.providerInstanceId && !row.nodeEndpoint && ready && this.providers?.has(row.provider)) {
      // Before anything else changes on the row: the read is the one slow part, and it only adds
      // what the provider says (written in this heartbeat's flush, fenced by the row's version).
      const instance = await readInstanceWithin(this.providers.get(row.provider), row.providerInstanceId, ENDPOINT_READ_TIMEOUT_MS);
      if (instance !== null) await observeInstance(this.em, row, instance, this.clock.now());
    }
    const now = this.clock.now();
    row.lastHeartbeatAt = now;
    // A word from the node ends its silence: the next one is announced again (see detectHeartbeatLoss).
    if (row.heartbeatAlertedAt) row.heartbeatAlertedAt = null;
    if (heartbeat.status.agentStartedAt !== undefined) {
      const agentStartedAt = new Date(heartbeat.status.agentStartedAt);
      // Only a plausible one (not in the future): it can only move the compute meter's start earlier.
      // Once known it is used for any later start (computeStartEstimate): only a new one needs a look.
      if (agentStartedAt <= now && agentStartedAt.getTime() !== row.agentStartedAt?.getTime()) {
        row.agentStartedAt = agentStartedAt;
        await refineComputeStart(this.em, row);
      }
    }
    row.agentReady = ready;
    row.agentIdle = heartbeat.idle.idle;
    row.agentIdleSince = heartbeat.idle.idleSince === null ? null : new Date(heartbeat.idle.idleSince);
    // The agent's final heartbeat: its jobs are stopped and flushed, no need to wait out the grace.
    if (heartbeat.final && row.state === 'stopping' && row.nextTeardownAt && row.nextTeardownAt > now) row.nextTeardownAt = now;
    // A node going down unasked (the host or the provider is ending it) says so as its agent stops:
    // if the provider then no longer has the instance, it ended about now (goneEstimate). A later
    // ordinary heartbeat means it came back.
    if (row.state === 'provisioning' || row.state === 'ready') row.nodeStoppedAt = heartbeat.final ? now : null;
    let becameReady = false;
    // Ready only once where the node listens is known (read above, or observed by the provider sync):
    // otherwise a ready session would be left without an endpoint for good (advanceProvisioning
    // marks it ready on its next run instead).
    if (row.state === 'provisioning' && row.providerInstanceId && row.nodeEndpoint && ready) {
      // The agent can only speak from a running node: that is the provider's "running" too.
      await recordUsage(this.em, row, 'compute_started', computeStartEstimate(row, now));
      row.instanceSeenRunningAt = now;
      markReady(this.em, this.clock, row);
      becameReady = true;
    }
    // Ended while it booted (done, cancelled) and not yet destroyed: the node still came up, and the
    // provider bills it from then on even though the session never became ready.
    if (row.state === 'stopping' && row.providerInstanceId && !row.destroyRequestedAt && !heartbeat.final && !(await isMeterOpen(this.em, row, 'compute'))) {
      await recordUsage(this.em, row, 'compute_started', computeStartEstimate(row, now));
      row.instanceSeenRunningAt = now;
    }
    // The event commits with the change that caused it (outbox): a heartbeat that loses a race announces nothing.
    if (becameReady) await this.webhooks.notify('session.ready', row.consumerId, { sessionId: row.id, nodeEndpoint: row.nodeEndpoint }, { em: this.em });
    if (reported !== null && failure !== null) {
      if (row.state === 'provisioning' && this.options.failProvisioning !== undefined) {
        // This heartbeat's own changes first: the failover writes the row on an entity manager of its own.
        await this.em.flush();
        if (await this.options.failProvisioning(row.id, failure)) return { reservationEndsAt: row.reservationEndsAt.toISOString(), shutdown: true, shutdownReason: failure };
        // Not failed now (no instance recorded yet, or another replica holds the session): the node
        // repeats its report on the next heartbeat, and the provisioning deadline still applies.
        log(this.options.logger, 'debug', `session ${row.id}: ${failure}; the provisioning attempt is not failed yet`, { sessionId: row.id, stage: reported.stage });
        return this.answer(row);
      }
      this.recordFailure(row, reported.stage, failure);
    }
    await this.em.flush();
    return this.answer(row);
  }

  /**
   * A failure that does not end the session (the node was ready: its engine died later and was
   * given up): kept as the session's failureReason, which sessions.get shows, and logged once per
   * distinct reason (the node repeats it on every heartbeat). The session goes on: its consumer or
   * the idle and reservation rules end it.
   */
  private recordFailure(row: SessionRow, stage: NodeFailureStage, failure: string): void {
    if (row.failureReason === failure || (row.state !== 'ready' && row.state !== 'provisioning')) return;
    row.failureReason = failure;
    log(this.options.logger, 'warn', `session ${row.id} (${row.state}): ${failure}`, { sessionId: row.id, stage, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null });
  }

  private answer(row: SessionRow): HeartbeatAnswer {
    const ending = row.state === 'stopping' || row.state === 'stopped' || row.state === 'terminated' || row.state === 'failed';
    return {
      reservationEndsAt: row.reservationEndsAt.toISOString(),
      shutdown: ending,
      ...(ending ? { shutdownReason: row.endReason ?? row.state } : {}),
    };
  }
}

/** How a node's failure report reads on the session (and in its webhook). */
export function nodeFailureReason(failure: { stage: NodeFailureStage; reason: string }): string {
  return `node reported ${failure.stage} failure: ${failure.reason}`;
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
