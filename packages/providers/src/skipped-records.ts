// Records a provider listing skipped because their shape was unexpected: counted per provider and
// listing for /metrics, logged on every listing that skipped any, and an ALERT line (and alert gauge)
// when more than a few percent of one listing was skipped: one odd record is noise, many are drift.

/** The share of a listing that may be skipped before it is drift worth an operator's eye. */
export const SKIPPED_RECORDS_ALERT_RATIO = 0.03;

/** Structurally the services' Prometheus MetricFamily (the providers package cannot import services). */
export interface SkippedRecordFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels: Record<string, string>; value: number }[];
}

export interface ListingOutcome {
  /** Records in the provider's answer. */
  total: number;
  skipped: number;
  /** Why each skipped record was skipped (the first is logged). */
  reasons: readonly string[];
}

interface ListingStats {
  provider: string;
  listing: string;
  seen: number;
  skipped: number;
  lastRatio: number;
}

export class SkippedRecordMetrics {
  private readonly stats = new Map<string, ListingStats>();

  constructor(readonly alertRatio = SKIPPED_RECORDS_ALERT_RATIO) {}

  /** Counts one listing; true when its skipped share is over the alert ratio. */
  record(provider: string, listing: string, outcome: ListingOutcome): boolean {
    const key = `${provider}\u0000${listing}`;
    const stats = this.stats.get(key) ?? { provider, listing, seen: 0, skipped: 0, lastRatio: 0 };
    stats.seen += outcome.total;
    stats.skipped += outcome.skipped;
    stats.lastRatio = outcome.total === 0 ? 0 : outcome.skipped / outcome.total;
    this.stats.set(key, stats);
    return stats.lastRatio > this.alertRatio;
  }

  families(): SkippedRecordFamily[] {
    const all = [...this.stats.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.listing.localeCompare(b.listing));
    const labels = (stats: ListingStats) => ({ provider: stats.provider, listing: stats.listing });
    return [
      { name: 'gpu_shopper_provider_records_seen_total', help: 'Records received in provider listings.', type: 'counter', samples: all.map((s) => ({ labels: labels(s), value: s.seen })) },
      { name: 'gpu_shopper_provider_records_skipped_total', help: 'Provider records skipped because their shape was unexpected.', type: 'counter', samples: all.map((s) => ({ labels: labels(s), value: s.skipped })) },
      { name: 'gpu_shopper_provider_listing_skipped_ratio', help: 'Share of the last listing that was skipped as malformed.', type: 'gauge', samples: all.map((s) => ({ labels: labels(s), value: s.lastRatio })) },
      {
        name: 'gpu_shopper_provider_listing_skip_alert',
        help: `1 while the last listing skipped more than ${SKIPPED_RECORDS_ALERT_RATIO * 100}% of its records (the provider's shape drifted).`,
        type: 'gauge',
        samples: all.map((s) => ({ labels: labels(s), value: s.lastRatio > this.alertRatio ? 1 : 0 })),
      },
    ];
  }
}

/** This process's counts, rendered on /metrics. Adapters use it unless given their own. */
export const skippedRecordMetrics = new SkippedRecordMetrics();

/** Counts a listing and logs it when it skipped anything: a warning, or an ALERT over the ratio. */
export function noteSkippedRecords(metrics: SkippedRecordMetrics, logger: { warn(message: string): void } | undefined, provider: string, listing: string, outcome: ListingOutcome): void {
  const alerting = metrics.record(provider, listing, outcome);
  if (outcome.skipped === 0) return;
  const share = outcome.total === 0 ? 0 : (outcome.skipped / outcome.total) * 100;
  const what = `${provider} ${listing}: skipped ${outcome.skipped} of ${outcome.total} malformed records (${share.toFixed(1)}%; first: ${outcome.reasons[0] ?? '?'})`;
  logger?.warn(alerting ? `ALERT ${what}: more than ${metrics.alertRatio * 100}% of the listing, the provider's answer has drifted from what we parse` : what);
}
