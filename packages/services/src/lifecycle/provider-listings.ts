// The provider's view, fetched once per tick: one listing per provider (all pages) that every live
// session is compared with, never one call per session. An instance missing from a listing is
// confirmed with one direct read before anyone believes it gone (a listing can lag a create), and a
// listing that failed makes every answer "unknown": nothing is ever ended on missing information.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import type { CallObserver, ProviderInstance } from '@gpu-shopper/providers';
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

/**
 * When a listing's request really left: our request budget can hold it for seconds under a rate
 * limit, and a retry leaves later still. Dated at the asking, a listing that left after our own
 * destroy call took effect would show the instance stopped "before" the call, and its compute would
 * be stopped early (seen in chaos: 3 s early on a 2-minute session, 2%).
 */
class SentAt implements CallObserver {
  at: Date | null = null;
  constructor(private readonly clock: Clock) {}
  sent(): void {
    this.at = this.clock.now(); // the latest attempt: the one that was answered, when the call returns
  }
  refused(): void {}
  confirmed(): void {}
  alreadyGone(): void {}
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
 * Fetches each provider's listing, and alerts operators when one keeps failing. Each provider on its
 * own: the provider sync runs one job per provider, so a listing that takes a minute under one
 * provider's 429s never delays what another provider's listing shows. The orphan sweep is a
 * separate job; `recent` lets it read the listings the sync just fetched (or is fetching) instead of
 * a second one: under the providers' request budgets a listing of thousands of instances takes tens
 * of seconds, and a second one would halve what is left for creates and destroys. Only a cache of
 * what the provider said: nothing coordinates through it.
 */
export class ProviderListingSource {
  /** Consecutive failures per provider (in memory: a restart starts counting again, which only delays an alert). */
  private readonly failures = new Map<ProviderName, number>();
  private readonly inFlight = new Map<ProviderName, Promise<Listing>>();
  private readonly latest = new Map<ProviderName, { listing: Listing; fetchedAtMs: number }>();

  constructor(private readonly options: ProviderListingSourceOptions) {}

  /** A fresh listing of every provider; concurrent callers share the ones being fetched. */
  async fetch(): Promise<ProviderListings> {
    return this.view(await Promise.all(this.names().map(async (name) => [name, await this.fetchListing(name)] as const)));
  }

  /** A fresh listing of one provider (the others read as not listed); concurrent callers share it. */
  async fetchProvider(provider: ProviderName): Promise<ProviderListings> {
    return this.view([[provider, await this.fetchListing(provider)]]);
  }

  /** Per provider, the listing being fetched, or one asked for at most `maxAgeMs` ago; otherwise a fresh one. */
  async recent(maxAgeMs: number): Promise<ProviderListings> {
    const nowMs = this.options.clock.now().getTime();
    return this.view(
      await Promise.all(
        this.names().map(async (name) => {
          const latest = this.latest.get(name);
          const fresh = !this.inFlight.has(name) && latest !== undefined && nowMs - latest.fetchedAtMs <= maxAgeMs;
          return [name, fresh ? latest.listing : await this.fetchListing(name)] as const;
        }),
      ),
    );
  }

  /** The last listing of every provider, however old, without asking anyone (a provider never listed reads as failed). */
  lastKnown(): ProviderListings {
    return this.view(this.names().flatMap((name) => {
      const latest = this.latest.get(name);
      return latest === undefined ? [] : [[name, latest.listing] as const];
    }));
  }

  private names(): ProviderName[] {
    return this.options.providers.all().map((adapter) => adapter.name);
  }

  private view(listings: Iterable<readonly [ProviderName, Listing]>): ProviderListings {
    return new ProviderListings(new Map(listings), this.options.providers);
  }

  private fetchListing(provider: ProviderName): Promise<Listing> {
    const running = this.inFlight.get(provider);
    if (running !== undefined) return running;
    const startedAtMs = this.options.clock.now().getTime();
    const fetching = this.listNow(provider)
      .then(async (listing) => {
        this.latest.set(provider, { listing, fetchedAtMs: startedAtMs });
        await this.count(provider, listing);
        return listing;
      })
      .finally(() => this.inFlight.delete(provider));
    this.inFlight.set(provider, fetching);
    return fetching;
  }

  private async listNow(provider: ProviderName): Promise<Listing> {
    try {
      const askedAt = this.options.clock.now();
      const sent = new SentAt(this.options.clock);
      const instances = await this.options.providers.get(provider).listInstances({ observer: sent });
      return { kind: 'listed', instances, observedAt: sent.at ?? askedAt, answeredAt: this.options.clock.now() };
    } catch (error) {
      return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
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
