// How services announce events to consumers and operators. The dispatcher behind it signs,
// delivers, retries and logs; callers only say what happened and to whom.
import type { EntityManager } from '@gpu-shopper/db';

export const WEBHOOK_EVENTS = [
  'session.ready',
  'session.failed',
  'session.ended',
  'session.lost',
  'reservation.expiring',
  'reservation.expired',
  'session.idle',
  'heartbeat.lost',
  'orphan.detected',
  'override.requested',
  'override.decided',
  'budget.threshold',
  'cost.drift',
  'provider.listing_failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface NotifyOptions {
  /** Overrides the consumer's webhook (budgets carry their own). */
  url?: string;
  /**
   * The outbox: the deliveries are added to this entity manager and NOT flushed, so they commit in
   * the caller's own flush or transaction, with the change they announce; a change that fails to
   * save announces nothing. Without it the deliveries are saved at once, on their own.
   */
  em?: EntityManager;
}

export interface WebhookNotifier {
  /**
   * Queues an event for the consumer's webhook (when it has one; `consumerId` null: operators only)
   * and the operators' global webhook. Never throws: delivery problems are retried and logged.
   */
  notify(event: WebhookEvent, consumerId: string | null, payload: Record<string, unknown>, options?: NotifyOptions): Promise<void>;
}

/** For code paths and tests that do not care about webhooks. */
export const noWebhooks: WebhookNotifier = { notify: async () => {} };
