// The provider's view, fetched once per tick: one listing per provider (all pages) that every live
// session is compared with, never one call per session. An instance missing from a listing is
// confirmed with one direct read before anyone believes it gone (a listing can lag a create), and a
// listing that failed makes every answer "unknown": nothing is ever ended on missing information.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import type { ProviderInstance } from '@gpu-shopper/providers';
import type { AlertSink } from '../alerts/alert-service';
import type { ProviderRegistry } from '../provider-registry';
import { log, type ServiceLogger } from '../logging/service-logger';

/**
 * `observedAt`: when the listing was asked for. A listing shows the provider as it was at some moment
 * during the request: what it shows is dated then, never at the later moment we read it, so a listing
 * taken before our own destroy call cannot pass for a sighting after it. `answeredAt`: when it came
 * back, the latest moment what it shows can have begun (a compute start it reveals is no later).
 */
export type Listing = { kind: 'listed'; instances: ProviderInstance[]; observedAt: Date; answeredAt: Date } | { kind: 'failed'; error: string };
export type Sighting = { kind: 'found'; instance: ProviderInstance } | { kind: 'gone' } | { kind: 'unknown'; error: string };

export class ProviderListings {
  private readonly indexes = new Map<ProviderName, Map<string, ProviderInstance>>();
  private readonly confirmed = new Map<string, Promise<Sighting>>();

  constructor(
    private readonly listings: ReadonlyMap<ProviderName, Listing>,
    private readonly providers: ProviderRegistry,
  ) {}

  listing(provider: ProviderName): Listing {
    return this.listings.get(provider) ?? { kind: 'failed', error: `${provider} was not listed` };
  }

  /** When the provider's listing was asked for (sightings from it are dated then); `fallback` when it failed. */
  observedAt(provider: ProviderName, fallback: Date): Date {
    const listing = this.listing(provider);
    return listing.kind === 'listed' ? listing.observedAt : fallback;
  }

  /** When `instance` was seen as it is: the listing's moment if it came from the listing, else `now` (a direct read). */
  sightedAt(provider: ProviderName, instance: ProviderInstance, now: Date): Date {
    return this.listed(provider, instance.instanceId) === instance ? this.observedAt(provider, now) : now;
  }

  /** When the listing that showed `instance` came back; `fallback` for a direct read or a failed listing. */
  answeredAt(provider: ProviderName, instance: ProviderInstance, fallback: Date): Date {
    const listing = this.listing(provider);
    return listing.kind === 'listed' && this.listed(provider, instance.instanceId) === instance ? listing.answeredAt : fallback;
  }

  /** The instance as listed; undefined when not listed or the listing failed (no confirming read). */
  listed(provider: ProviderName, instanceId: string): ProviderInstance | undefined {
    const listing = this.listing(provider);
    if (listing.kind === 'failed') return undefined;
    let index = this.indexes.get(provider);
    if (index === undefined) {
      index = new Map(listing.instances.map((instance) => [instance.instanceId, instance]));
      this.indexes.set(provider, index);
    }
    return index.get(instanceId);
  }

  /** What the provider says about one instance. */
  async find(provider: ProviderName, instanceId: string): Promise<Sighting> {
    const listing = this.listing(provider);
    if (listing.kind === 'failed') return { kind: 'unknown', error: listing.error };
    const listed = this.listed(provider, instanceId);
    if (listed !== undefined) return { kind: 'found', instance: listed };
    const key = `${provider}/${instanceId}`;
    let confirmation = this.confirmed.get(key);
    if (confirmation === undefined) {
      confirmation = this.providers
        .get(provider)
        .getInstance(instanceId)
        .then(
          (instance): Sighting => (instance === null ? { kind: 'gone' } : { kind: 'found', instance }),
          (error: unknown): Sighting => ({ kind: 'unknown', error: error instanceof Error ? error.message : String(error) }),
        );
      this.confirmed.set(key, confirmation);
    }
    return confirmation;
  }
}

export interface ProviderListingSourceOptions {
  providers: ProviderRegistry;
  clock: Clock;
  alerts: AlertSink;
  em: () => EntityManager;
  /** Consecutive failed listings before an alert (once per outage). */
  alertAfterFailures: number;
  logger?: ServiceLogger;
}

/**
 * Fetches every provider's listing, and alerts operators when one keeps failing. The provider sync
 * and the orphan sweep are separate jobs; `recent` lets the sweep read the listing the sync just
 * fetched (or is fetching) instead of a second one: under the providers' request budgets a listing
 * of thousands of instances takes tens of seconds, and a second one would halve what is left for
 * creates and destroys. Only a cache of what the provider said: nothing coordinates through it.
 */
export class ProviderListingSource {
  /** Consecutive failures per provider (in memory: a restart starts counting again, which only delays an alert). */
  private readonly failures = new Map<ProviderName, number>();
  private inFlight: Promise<ProviderListings> | null = null;
  private latest: { listings: ProviderListings; fetchedAtMs: number } | null = null;

  constructor(private readonly options: ProviderListingSourceOptions) {}

  /** A fresh listing; concurrent callers share the one being fetched. */
  fetch(): Promise<ProviderListings> {
    if (this.inFlight !== null) return this.inFlight;
    const startedAtMs = this.options.clock.now().getTime();
    const fetching = this.fetchNow().then((listings) => {
      this.latest = { listings, fetchedAtMs: startedAtMs };
      return listings;
    });
    this.inFlight = fetching.finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The listing being fetched, or one asked for at most `maxAgeMs` ago; otherwise a fresh one. */
  recent(maxAgeMs: number): Promise<ProviderListings> {
    if (this.inFlight !== null) return this.inFlight;
    if (this.latest !== null && this.options.clock.now().getTime() - this.latest.fetchedAtMs <= maxAgeMs) return Promise.resolve(this.latest.listings);
    return this.fetch();
  }

  private async fetchNow(): Promise<ProviderListings> {
    const adapters = this.options.providers.all();
    const results = await Promise.all(
      adapters.map(async (adapter): Promise<[ProviderName, Listing]> => {
        try {
          const observedAt = this.options.clock.now();
          const instances = await adapter.listInstances();
          return [adapter.name, { kind: 'listed', instances, observedAt, answeredAt: this.options.clock.now() }];
        } catch (error) {
          return [adapter.name, { kind: 'failed', error: error instanceof Error ? error.message : String(error) }];
        }
      }),
    );
    for (const [provider, listing] of results) await this.count(provider, listing);
    return new ProviderListings(new Map(results), this.options.providers);
  }

  private async count(provider: ProviderName, listing: Listing): Promise<void> {
    if (listing.kind === 'listed') {
      this.failures.delete(provider);
      return;
    }
    const failures = (this.failures.get(provider) ?? 0) + 1;
    this.failures.set(provider, failures);
    // A debug line: the failed call itself was logged (once per outage) by the instrumented adapter.
    log(this.options.logger, 'debug', `${provider} instance listing failed (${failures} in a row); nothing was changed: ${listing.error}`, { provider, failures, error: listing.error });
    if (failures !== Math.max(1, this.options.alertAfterFailures)) return;
    await this.options.alerts.raise(
      this.options.em(),
      { kind: 'listing_failed', message: `${provider} instance listing failed ${failures} times in a row; no session is ended on missing information: ${listing.error}`, provider, detail: { consecutiveFailures: failures } },
      'provider.listing_failed',
    );
  }
}
