// What waits on a person, shaped for the Needs you page and the count beside its link.
import type { RouterOutputs } from '@gpu-shopper/sdk';

type Alert = RouterOutputs['admin']['alerts']['alerts'][number];
type AlertKind = Alert['kind'];

/** The alert kinds in an operator's words, most urgent first. */
export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  orphan: 'Orphaned instance',
  instance_lost: 'Ghost: instance lost at the provider',
  heartbeat_lost: 'Heartbeat lost',
  teardown_stuck: 'Teardown stuck',
  cost_drift: 'Reconciliation gap',
  listing_failed: 'Provider outage',
  budget: 'Budget threshold',
  reservation_expired: 'Reservation expired',
  idle: 'Idle node',
};

export const PENDING_OVERRIDES = { status: 'pending' } as const;
export const RECENT_DELIVERIES = { limit: 200 } as const;

type Delivery = RouterOutputs['admin']['deliveries']['deliveries'][number];

/** Deliveries that need a look: given up on, or failing and still being retried. */
export function failedDeliveries(deliveries: readonly Delivery[]): Delivery[] {
  return deliveries.filter((delivery) => delivery.status === 'failed' || (delivery.status === 'pending' && delivery.lastError !== null));
}

/** The count beside "Needs you": overrides to decide and webhooks failing (alerts are a log, not a queue). */
export function needsYouCount(pendingOverrides: number | undefined, deliveries: readonly Delivery[] | undefined): number {
  return (pendingOverrides ?? 0) + failedDeliveries(deliveries ?? []).length;
}
