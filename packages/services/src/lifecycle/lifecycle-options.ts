// The lifecycle manager's knobs, with the defaults operators get.
import type { Workload } from '@gpu-shopper/domain';
import { MS_PER_MINUTE } from '@gpu-shopper/domain';

export type IdleAction = 'alert' | 'shutdown';

export interface LifecyclePolicy {
  /** Warn this long before a reservation ends (`reservation.expiring`). */
  expiringWarningMs: number;
  /** A busy node at reservation end gets this long to be extended before it is shut down. */
  expiredGraceMs: number;
  /** What to do when the agent reports the node idle, per workload. */
  idleAction: Record<Workload, IdleAction>;
  /** No heartbeat for this long from a ready node → alert. */
  heartbeatLossMs: number;
  /**
   * How often every provider's instance listing is swept for orphans (0: every `tick()`). The sweep
   * is a job of its own (`runSweep`); it reads the provider sync's listing when that is no older
   * than this, so sweeping costs no listing of its own while the sync runs at least as often.
   */
  sweepIntervalMs: number;
  /** A provider whose listing failed this many ticks in a row raises a `listing_failed` alert (once per outage). */
  listingFailureAlertAfter: number;
}

export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = {
  expiringWarningMs: 15 * MS_PER_MINUTE,
  expiredGraceMs: 15 * MS_PER_MINUTE,
  idleAction: { llm: 'shutdown', training: 'shutdown', batch: 'shutdown' },
  heartbeatLossMs: 5 * MS_PER_MINUTE,
  sweepIntervalMs: 0,
  listingFailureAlertAfter: 3,
};
