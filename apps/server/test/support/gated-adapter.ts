// A provider adapter with no instances whose next listing can be held open until the test lets it
// go: crash recovery and lifecycle ticks both start with a listing, so a test can keep either one
// in progress for as long as it likes.
import type { Offer } from '@gpu-shopper/domain';
import type { ProviderAdapter, ProviderInstance } from '@gpu-shopper/providers';

export interface HeldListing {
  /** Resolves once a listing has reached the hold (the work holding it is in progress). */
  entered: Promise<void>;
  release(instances?: ProviderInstance[]): void;
  fail(error: Error): void;
}

export class GatedAdapter implements ProviderAdapter {
  readonly name = 'vastai' as const;
  listings = 0;
  private held: { enter(): void; answer: Promise<ProviderInstance[]> } | null = null;

  /** The next `listInstances()` call waits until the returned hold is released or failed. */
  holdNextListing(): HeldListing {
    let enter!: () => void;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    let release!: (instances: ProviderInstance[]) => void;
    let fail!: (error: Error) => void;
    const answer = new Promise<ProviderInstance[]>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    this.held = { enter, answer };
    return { entered, release: (instances = []) => release(instances), fail };
  }

  async listInstances(): Promise<ProviderInstance[]> {
    this.listings += 1;
    const held = this.held;
    if (held === null) return [];
    this.held = null;
    held.enter();
    return held.answer;
  }

  async searchOffers(): Promise<Offer[]> {
    return [];
  }

  async createInstance(): Promise<ProviderInstance> {
    throw new Error('the gated adapter rents nothing');
  }

  async getInstance(): Promise<ProviderInstance | null> {
    return null;
  }

  async destroyInstance(): Promise<void> {}
  async stopInstance(): Promise<void> {}
  async startInstance(): Promise<void> {}
}
