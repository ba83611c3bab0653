// Ending an instance: destroy (or stop, for a preserved disk), then read it back and only believe
// the provider when it confirms. Failures are retried with back-off, never given up and never
// marked done on hope; a teardown that keeps failing is raised to operators.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { MS_PER_MINUTE, MS_PER_SECOND } from '@gpu-shopper/domain';
import { ProvisionAttemptEntity, type SessionRow } from '@gpu-shopper/db';
import type { ProviderRegistry } from '../provider-registry';
import type { AlertSink } from '../alerts/alert-service';
import { SYSTEM_ACTOR } from '../caller';
import { transitionSession } from '../sessions/session-records';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { closeMetersAtGone, keepsDisk, observeInstance } from './instance-observation';
import { MeterStopCall } from './meter-stop-call';

const STUCK_AFTER_ATTEMPTS = 5;
const PENDING_CREATE_RECHECK_MS = MS_PER_SECOND;

export function teardownBackoffMs(attempts: number): number {
  return Math.min(5 * MS_PER_SECOND * 2 ** Math.max(0, attempts - 1), 5 * MS_PER_MINUTE);
}

/**
 * Dates our stop/destroy call at the attempt that took effect (MeterStopCall). A round the
 * provider refused outright (429, 5xx every time) stopped nothing, so its write-ahead is taken back
 * and the next round writes its own. An earlier round's call that may have worked (a timeout) stays
 * the earliest possible stop, unless this round's destroy was answered success while nothing since
 * showed the instance stopped: then the instance was still there, the earlier call did nothing, and
 * compute ended now.
 */
function settleCallTime(row: SessionRow, call: MeterStopCall, wroteAhead: boolean): void {
  if (!wroteAhead) {
    const confirmedAt = call.confirmedAt;
    const requestedAt = row.destroyRequestedAt;
    const seenStoppedSince = !!requestedAt && !!row.instanceSeenNotRunningAt && row.instanceSeenNotRunningAt >= requestedAt;
    if (confirmedAt !== null && requestedAt && confirmedAt > requestedAt && !seenStoppedSince) row.destroyRequestedAt = confirmedAt;
    return;
  }
  if (call.allRefused) row.destroyRequestedAt = null;
  else if (call.tookEffectAt !== null && row.destroyRequestedAt && call.tookEffectAt > row.destroyRequestedAt) row.destroyRequestedAt = call.tookEffectAt;
}

export class Teardown {
  constructor(
    private readonly clock: Clock,
    private readonly providers: ProviderRegistry,
    private readonly alerts: AlertSink,
    private readonly webhooks: WebhookNotifier,
  ) {}

  /** One step for a session in `stopping`; the caller flushes. */
  async advance(em: EntityManager, row: SessionRow): Promise<void> {
    if (row.state !== 'stopping') return; // finished meanwhile (the listing showed it gone)
    const now = this.clock.now();
    if (row.nextTeardownAt && row.nextTeardownAt > now) return;
    if (!row.provider || !row.providerInstanceId) {
      // A create whose outcome is not known yet (in flight, or cut off by a crash until the label
      // search settles it) may still produce an instance: finishing now would orphan it.
      if ((await em.count(ProvisionAttemptEntity, { sessionId: row.id, outcome: 'pending' })) > 0) {
        row.nextTeardownAt = new Date(now.getTime() + PENDING_CREATE_RECHECK_MS);
        return;
      }
      // Nothing was ever created for it (or every create is known to have failed).
      this.finish(em, row);
      return;
    }
    const adapter = this.providers.get(row.provider);
    const preserve = keepsDisk(row);
    // Write-ahead: the moment of our stop/destroy call is when the provider stops billing compute,
    // even if this process dies before the answer arrives. It is written as the first attempt is about
    // to leave (not before the request budget let it go: under a rate limit that can be a minute), and
    // once the call returns it is moved to the attempt that got through (MeterStopCall).
    const wroteAhead = !row.destroyRequestedAt || (!!row.instanceSeenRunningAt && row.destroyRequestedAt < row.instanceSeenRunningAt);
    const call = new MeterStopCall(
      this.clock,
      wroteAhead
        ? async (at) => {
            row.destroyRequestedAt = at;
            await em.flush();
          }
        : null,
    );
    try {
      if (preserve) {
        await adapter.stopInstance(row.providerInstanceId, { observer: call });
        settleCallTime(row, call, wroteAhead);
        const askedAt = this.clock.now();
        const instance = await adapter.getInstance(row.providerInstanceId);
        if (instance !== null) await observeInstance(em, row, instance, askedAt, this.clock.now());
        if (instance !== null && instance.state === 'stopped') {
          transitionSession(em, this.clock, row, 'stopped', { reason: 'instance stopped, disk preserved', actor: SYSTEM_ACTOR });
          await this.webhooks.notify('session.ended', row.consumerId, { sessionId: row.id, state: 'stopped', storage: 'preserved' }, { em });
          return;
        }
        this.retryLater(row, now, `stop not yet confirmed (provider says ${instance?.state ?? 'gone'})`);
      } else {
        await adapter.destroyInstance(row.providerInstanceId, { observer: call });
        settleCallTime(row, call, wroteAhead);
        const askedAt = this.clock.now();
        const instance = await adapter.getInstance(row.providerInstanceId);
        if (instance === null || instance.state === 'terminated') {
          await closeMetersAtGone(em, row, this.clock.now());
          await this.finishGone(em, row);
          return;
        }
        await observeInstance(em, row, instance, askedAt, this.clock.now());
        this.retryLater(row, now, `destroy not yet confirmed (provider says ${instance.state})`);
      }
    } catch (error) {
      settleCallTime(row, call, wroteAhead);
      this.retryLater(row, now, error instanceof Error ? error.message : String(error));
    }
    if (row.teardownAttempts === STUCK_AFTER_ATTEMPTS) {
      await this.alerts.raise(
        em,
        { kind: 'teardown_stuck', message: `session ${row.id}: ${row.provider} instance ${row.providerInstanceId} not confirmed gone after ${row.teardownAttempts} attempts; still retrying`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider, instanceId: row.providerInstanceId },
        undefined,
        { flush: false },
      );
    }
  }

  /** The provider confirmed the instance is gone (meters already closed): the session ends. */
  async finishGone(em: EntityManager, row: SessionRow): Promise<void> {
    row.instanceState = 'terminated';
    this.finish(em, row);
    await this.webhooks.notify('session.ended', row.consumerId, { sessionId: row.id, state: row.state, endReason: row.endReason }, { em });
  }

  private retryLater(row: SessionRow, now: Date, reason: string): void {
    row.teardownAttempts += 1;
    // Why a failed or lost session ended matters more than a teardown hiccup: it is kept.
    row.failureReason = row.endReason === 'provision_failed' || row.endReason === 'lost' ? row.failureReason : `teardown: ${reason}`;
    row.nextTeardownAt = new Date(now.getTime() + teardownBackoffMs(row.teardownAttempts));
  }

  private finish(em: EntityManager, row: SessionRow): void {
    const to = row.endReason === 'provision_failed' ? 'failed' : 'terminated';
    transitionSession(em, this.clock, row, to, { reason: row.providerInstanceId ? 'provider confirmed the instance is gone' : 'no instance to end', actor: SYSTEM_ACTOR });
    row.nextTeardownAt = null;
  }
}
