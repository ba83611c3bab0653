// Wraps a provider adapter so every call is counted and timed for /metrics, and a failed call (after
// the adapter's own retries) is logged once per streak, without the adapters knowing about either.
import { performance } from 'node:perf_hooks';
import type { BillingCallOptions, ListCallOptions, ProviderAdapter } from '@gpu-shopper/providers';
import { OfferGoneError } from '@gpu-shopper/providers';
import { FailureStreaks } from '../logging/failure-streaks';
import { messageOf, log, type LogFields, type ServiceLogger } from '../logging/service-logger';
import type { ProviderCallMetrics } from './provider-call-metrics';

/**
 * With a logger: the first failure of an operation on a target (the provider's listing, one instance,
 * one offer) is a warning with the provider, operation, instance and error; the same call failing
 * again on later ticks is a debug line, and its first success after that an info line. A session in
 * the log context (a lifecycle step, provisioning) is added by the logger. An offer rented out
 * meanwhile is an everyday race, not a failure: info.
 */
export function instrumentAdapter(adapter: ProviderAdapter, metrics: ProviderCallMetrics, logger?: ServiceLogger): ProviderAdapter {
  const now = () => performance.now();
  const streaks = new FailureStreaks();
  const timed =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>, target: (...args: A) => LogFields = () => ({})) =>
    async (...args: A) => {
      if (logger === undefined) return metrics.time(adapter.name, operation, now, () => call(...args));
      const startMs = now();
      const fields = { provider: adapter.name, operation, ...target(...args) };
      const key = JSON.stringify(fields);
      try {
        const result = await metrics.time(adapter.name, operation, now, () => call(...args));
        const { step, failures } = streaks.succeeded(key);
        if (step === 'recovered') log(logger, 'info', 'provider call recovered', { ...fields, failures });
        return result;
      } catch (error) {
        const failure = { ...fields, durationMs: Math.round(now() - startMs), error: messageOf(error) };
        if (error instanceof OfferGoneError) {
          log(logger, 'info', 'provider call failed: offer gone', failure);
        } else {
          const { step, failures } = streaks.failed(key);
          if (step === 'first-failure') log(logger, 'warn', 'provider call failed', failure);
          else log(logger, 'debug', 'provider call still failing', { ...failure, failures });
        }
        throw error;
      }
    };
  const instance = (instanceId: string) => ({ instanceId });
  return {
    name: adapter.name,
    searchOffers: timed('search_offers', (search) => adapter.searchOffers(search)),
    createInstance: timed('create_instance', (offer, spec) => adapter.createInstance(offer, spec), (offer) => ({ offerId: offer.id })),
    getInstance: timed('get_instance', (id) => adapter.getInstance(id), instance),
    listInstances: timed('list_instances', (options?: ListCallOptions) => adapter.listInstances(options)),
    destroyInstance: timed('destroy_instance', (id: string, options?: BillingCallOptions) => adapter.destroyInstance(id, options), instance),
    stopInstance: timed('stop_instance', (id: string, options?: BillingCallOptions) => adapter.stopInstance(id, options), instance),
    startInstance: timed('start_instance', (id) => adapter.startInstance(id), instance),
    ...(adapter.describeBilling ? { describeBilling: timed('describe_billing', (ids: readonly string[], from: Date, to: Date) => adapter.describeBilling!(ids, from, to)) } : {}),
  };
}
