// Wraps a provider adapter so every call is counted and timed for /metrics, without the adapters
// knowing about metrics.
import { performance } from 'node:perf_hooks';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import type { ProviderCallMetrics } from './provider-call-metrics';

export function instrumentAdapter(adapter: ProviderAdapter, metrics: ProviderCallMetrics): ProviderAdapter {
  const now = () => performance.now();
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    (...args: A) =>
      metrics.time(adapter.name, operation, now, () => call(...args));
  return {
    name: adapter.name,
    searchOffers: timed('search_offers', (search) => adapter.searchOffers(search)),
    createInstance: timed('create_instance', (offer, spec) => adapter.createInstance(offer, spec)),
    getInstance: timed('get_instance', (id) => adapter.getInstance(id)),
    listInstances: timed('list_instances', () => adapter.listInstances()),
    destroyInstance: timed('destroy_instance', (id, options) => adapter.destroyInstance(id, options)),
    stopInstance: timed('stop_instance', (id, options) => adapter.stopInstance(id, options)),
    startInstance: timed('start_instance', (id) => adapter.startInstance(id)),
    ...(adapter.describeBilling ? { describeBilling: timed('describe_billing', (ids: readonly string[], from: Date, to: Date) => adapter.describeBilling!(ids, from, to)) } : {}),
  };
}
