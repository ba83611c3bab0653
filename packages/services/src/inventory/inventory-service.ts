// The menu: offers from every configured provider, cached per provider, filtered and sorted here so
// that every filter works for every provider. One provider failing never empties the menu. The
// offers are kept sorted (per sort order, rebuilt when any provider's offers change), so a search
// reads only until its limit is met; recent queries' selections are remembered.
import type { Clock, Offer, OfferFilter, OfferSort, ProviderName } from '@gpu-shopper/domain';
import { DEFAULT_OFFER_DISK_GB, selectFromMenu, sortMenu, type SortedMenu } from '@gpu-shopper/domain';
import type { ProviderAdapter } from '@gpu-shopper/providers';

/** The part of an adapter the menu needs. */
export type OfferSource = Pick<ProviderAdapter, 'name' | 'searchOffers'>;
import { RateLimitedError } from '@gpu-shopper/providers';
import { OfferCache, type ProviderCacheStatus } from './offer-cache';
import { joinJson, layOutJson, menuJson, menuTail, type JsonViews, type MenuJson } from './offer-json';
import { log, type ServiceLogger } from '../logging/service-logger';

export interface ProviderMenuStatus {
  provider: ProviderName;
  status: ProviderCacheStatus;
  offerCount: number;
  fetchedAt: string | null;
  nextFetchAt: string;
  rateLimited: boolean;
  error: string | null;
}

export interface Menu {
  offers: Offer[];
  providers: ProviderMenuStatus[];
}

export interface InventoryServiceOptions {
  adapters: readonly OfferSource[];
  clock: Clock;
  /** Disk priced into every offer's all-in $/h. */
  diskGb?: number;
  /** Failures are debug lines: the instrumented adapter already logged the provider call that failed. */
  logger?: ServiceLogger;
}

const MAX_MEMOIZED_QUERIES = 256;

/**
 * A sort order's menu, and its offers' JSON laid out (offer-json.ts) by model and in menu order,
 * each made on first use: a GPU query selects along a model's offers, any other along the menu.
 */
interface SortedOffers {
  menu: SortedMenu;
  byModelJson: JsonViews | null;
  inOrderJson: JsonViews | null;
}

/** A query's offers, valid while `generation` is current. */
interface Selection {
  generation: string;
  offers: Offer[];
}

export class InventoryService {
  private readonly caches = new Map<ProviderName, OfferCache>();
  private readonly inFlight = new Map<ProviderName, Promise<void>>();
  /** Results of recent queries, valid while no provider's offers changed. */
  private readonly memo = new Map<string, Selection>();
  /** Every provider's offers in each sort order asked for so far, for one generation. */
  private sorted: { generation: string; bySort: Map<OfferSort, SortedOffers> } | null = null;
  /** The menu's JSON after its offers (the providers' statuses), while the statuses stay the same. */
  private menuTailText: { key: string; json: Buffer } | null = null;
  private queryCachesOff = false;
  private adapters: readonly OfferSource[];

  constructor(private readonly options: InventoryServiceOptions) {
    this.adapters = options.adapters;
    for (const adapter of options.adapters) this.caches.set(adapter.name, new OfferCache(options.clock));
  }

  /** Swaps a provider's adapter (a new key was configured): its cache starts over. */
  replaceAdapter(adapter: OfferSource): void {
    this.adapters = [...this.adapters.filter((a) => a.name !== adapter.name), adapter];
    this.caches.set(adapter.name, new OfferCache(this.options.clock));
    // The new cache counts its generations from zero again: nothing kept may be taken for current.
    this.memo.clear();
    this.sorted = null;
  }

  providerNames(): ProviderName[] {
    return this.adapters.map((adapter) => adapter.name);
  }

  async search(filter: OfferFilter): Promise<Menu> {
    const selection = await this.select(filter);
    return { offers: selection.offers, providers: this.statuses() };
  }

  /**
   * The same Menu as `search`, as JSON in the API's field order (see offer-json.ts): each offer's
   * text is made once per fetch and copied into each answer. Throws for an offer the API's schema
   * refuses, as the API's output validation would.
   */
  async searchJson(filter: OfferFilter): Promise<Buffer> {
    await this.refreshDue(filter.provider);
    return joinJson(this.menuJsonFor(filter));
  }

  /**
   * searchJson without waiting, as the pieces to send (offer-json.ts: nothing copied); null when a
   * provider the filter reads is due for a fetch, which only an asynchronous search may start. For
   * the HTTP fast path, which answers without a promise (and leaves a null to the generic route).
   */
  searchJsonNow(filter: OfferFilter): MenuJson | null {
    if (this.dueAdapters(filter.provider).length > 0) return null;
    return this.menuJsonFor(filter);
  }

  private menuJsonFor(filter: OfferFilter): MenuJson {
    const selection = this.selectNow(filter);
    const sorted = this.sortedOffers(selection.generation, filter.sort ?? 'price');
    const views = filter.gpu === undefined ? (sorted.inOrderJson ??= layOutJson([sorted.menu.offers])) : (sorted.byModelJson ??= layOutJson(sorted.menu.byModel.values()));
    return menuJson(selection.offers, this.menuTail(), views);
  }

  private menuTail(): Buffer {
    // The statuses change with the offers' generation, and with a refresh brought forward (expire).
    const key = this.adapters
      .map((adapter) => {
        const cache = this.cacheFor(adapter.name);
        return `${cache.generation()}@${cache.nextFetchAt().getTime()}`;
      })
      .join(':');
    if (this.menuTailText?.key !== key) this.menuTailText = { key, json: menuTail(JSON.stringify(this.statuses())) };
    return this.menuTailText.json;
  }

  /**
   * For benchmarks that measure a search's own work: from now on no query's result is remembered,
   * and servingVersion() is null, so the HTTP layer's response cache neither serves nor stores.
   * The sorted offers and their JSON, made once per provider fetch, are kept (an index, not an answer).
   */
  disableQueryCaches(): void {
    this.queryCachesOff = true;
    this.memo.clear();
  }

  private async select(filter: OfferFilter): Promise<Selection> {
    await this.refreshDue(filter.provider);
    return this.selectNow(filter);
  }

  /** The filter's selection from the offers held now (remembered unless query caches are off). */
  private selectNow(filter: OfferFilter): Selection {
    const generation = this.generation();
    const key = this.queryCachesOff ? null : JSON.stringify(filter);
    const hit = key === null ? undefined : this.memo.get(key);
    if (hit !== undefined && hit.generation === generation) return hit;
    const selection: Selection = { generation, offers: selectFromMenu(this.sortedOffers(generation, filter.sort ?? 'price').menu, filter) };
    if (key === null) return selection;
    if (this.memo.size >= MAX_MEMOIZED_QUERIES) this.memo.clear();
    this.memo.set(key, selection);
    return selection;
  }

  /** Every provider's offers in `sort` order (and by model), sorted once per generation. */
  private sortedOffers(generation: string, sort: OfferSort): SortedOffers {
    if (this.sorted === null || this.sorted.generation !== generation) this.sorted = { generation, bySort: new Map() };
    let sorted = this.sorted.bySort.get(sort);
    if (sorted === undefined) {
      sorted = { menu: sortMenu(this.allOffers(), sort), byModelJson: null, inOrderJson: null };
      this.sorted.bySort.set(sort, sorted);
    }
    return sorted;
  }

  /** The offer was rented (by us) or answered "gone": off the menu for every request at once. */
  withdrawOffer(offer: Pick<Offer, 'id' | 'provider'>): void {
    this.caches.get(offer.provider)?.withdraw(offer.id);
  }

  /**
   * The provider's offers are out of date (an offer we picked was gone): fetch again in the
   * background, without making the caller wait. Concurrent calls share one fetch.
   */
  refreshInBackground(provider: ProviderName): void {
    const adapter = this.adapters.find((candidate) => candidate.name === provider);
    if (adapter === undefined) return;
    this.cacheFor(provider).expire();
    void this.refresh(adapter);
  }

  /** Finds one offer by id in the current menu (refreshing first if due). */
  async findOffer(offerId: string): Promise<Offer | null> {
    await this.refreshDue();
    for (const cache of this.caches.values()) {
      const offer = cache.offers().find((candidate) => candidate.id === offerId);
      if (offer !== undefined) return offer;
    }
    return null;
  }

  /**
   * Identifies what `search` would currently answer from: it changes whenever any provider's offers
   * change. Null when a provider is due for a refresh, i.e. the next search must go to the providers,
   * and once query caches are off (disableQueryCaches).
   */
  servingVersion(): string | null {
    if (this.queryCachesOff) return null;
    if (this.adapters.some((adapter) => this.cacheFor(adapter.name).isDue())) return null;
    return this.generation();
  }

  statuses(): ProviderMenuStatus[] {
    return this.adapters.map((adapter) => {
      const cache = this.cacheFor(adapter.name);
      return {
        provider: adapter.name,
        status: cache.status(),
        offerCount: cache.offers().length,
        fetchedAt: cache.fetchedAt()?.toISOString() ?? null,
        nextFetchAt: cache.nextFetchAt().toISOString(),
        rateLimited: cache.isRateLimited(),
        error: cache.lastError(),
      };
    });
  }

  private allOffers(): Offer[] {
    return this.adapters.flatMap((adapter) => this.cacheFor(adapter.name).offers());
  }

  private generation(): string {
    return this.adapters.map((adapter) => this.cacheFor(adapter.name).generation()).join(':');
  }

  private cacheFor(provider: ProviderName): OfferCache {
    const cache = this.caches.get(provider);
    if (cache === undefined) throw new Error(`no cache for provider ${provider}`);
    return cache;
  }

  private dueAdapters(only?: ProviderName): OfferSource[] {
    return this.adapters.filter((adapter) => (only === undefined || adapter.name === only) && this.cacheFor(adapter.name).isDue());
  }

  private async refreshDue(only?: ProviderName): Promise<void> {
    await Promise.all(this.dueAdapters(only).map((adapter) => this.refresh(adapter)));
  }

  /** One fetch per provider at a time: concurrent requests share it. */
  private refresh(adapter: OfferSource): Promise<void> {
    const running = this.inFlight.get(adapter.name);
    if (running !== undefined) return running;
    const cache = this.cacheFor(adapter.name);
    const fetching = adapter
      .searchOffers({ diskGb: this.options.diskGb ?? DEFAULT_OFFER_DISK_GB })
      .then(
        (offers) => cache.store(offers),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          log(this.options.logger, 'debug', `inventory: ${adapter.name} offers unavailable: ${message}`, { provider: adapter.name, error: message });
          cache.recordFailure(message, error instanceof RateLimitedError);
        },
      )
      .finally(() => this.inFlight.delete(adapter.name));
    this.inFlight.set(adapter.name, fetching);
    return fetching;
  }
}
