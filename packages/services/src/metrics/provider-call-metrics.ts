// Counts and times the calls made to provider APIs, in memory, for /metrics. The adapters' HTTP layer
// reports each call here: record(provider, operation, ok, ms).
import type { MetricFamily, MetricSample } from './prometheus-text';

/** Latency histogram bucket bounds, in seconds (Prometheus' base unit). */
export const PROVIDER_LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

interface CallStats {
  provider: string;
  operation: string;
  ok: number;
  errors: number;
  /** Cumulative counts per bucket bound, plus the +Inf bucket at the end. */
  buckets: number[];
  sumSeconds: number;
}

export class ProviderCallMetrics {
  private readonly stats = new Map<string, CallStats>();

  record(provider: string, operation: string, ok: boolean, ms: number): void {
    const key = `${provider}\u0000${operation}`;
    let stats = this.stats.get(key);
    if (stats === undefined) {
      stats = { provider, operation, ok: 0, errors: 0, buckets: new Array<number>(PROVIDER_LATENCY_BUCKETS_SECONDS.length + 1).fill(0), sumSeconds: 0 };
      this.stats.set(key, stats);
    }
    if (ok) stats.ok += 1;
    else stats.errors += 1;
    const seconds = Math.max(0, ms) / 1000;
    stats.sumSeconds += seconds;
    PROVIDER_LATENCY_BUCKETS_SECONDS.forEach((bound, index) => {
      if (seconds <= bound) stats.buckets[index]! += 1;
    });
    stats.buckets[PROVIDER_LATENCY_BUCKETS_SECONDS.length]! += 1;
  }

  /** Wraps a call: records its outcome and duration, and passes its result or error through. */
  async time<T>(provider: string, operation: string, nowMs: () => number, call: () => Promise<T>): Promise<T> {
    const startMs = nowMs();
    try {
      const result = await call();
      this.record(provider, operation, true, nowMs() - startMs);
      return result;
    } catch (error) {
      this.record(provider, operation, false, nowMs() - startMs);
      throw error;
    }
  }

  families(): MetricFamily[] {
    const all = [...this.stats.values()].sort((a, b) => a.provider.localeCompare(b.provider) || a.operation.localeCompare(b.operation));
    const calls: MetricSample[] = [];
    const errors: MetricSample[] = [];
    const latency: MetricSample[] = [];
    for (const stats of all) {
      const labels = { provider: stats.provider, operation: stats.operation };
      calls.push({ labels: { ...labels, outcome: 'ok' }, value: stats.ok }, { labels: { ...labels, outcome: 'error' }, value: stats.errors });
      errors.push({ labels, value: stats.errors });
      PROVIDER_LATENCY_BUCKETS_SECONDS.forEach((bound, index) => latency.push({ suffix: '_bucket', labels: { ...labels, le: String(bound) }, value: stats.buckets[index]! }));
      latency.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: stats.buckets.at(-1)! });
      latency.push({ suffix: '_sum', labels, value: stats.sumSeconds });
      latency.push({ suffix: '_count', labels, value: stats.ok + stats.errors });
    }
    return [
      { name: 'gpu_shopper_provider_api_calls_total', help: 'Provider API calls by outcome.', type: 'counter', samples: calls },
      { name: 'gpu_shopper_provider_api_errors_total', help: 'Provider API calls that failed.', type: 'counter', samples: errors },
      { name: 'gpu_shopper_provider_api_duration_seconds', help: 'Provider API call latency.', type: 'histogram', samples: latency },
    ];
  }
}
