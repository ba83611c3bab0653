// The adapters the server buys through, by provider. A provider key configured at run time swaps
// an adapter in place; everyone holding the registry sees the new one at once.
import type { ProviderName } from '@gpu-shopper/domain';
import { UnavailableError } from '@gpu-shopper/domain';
import type { ProviderAdapter } from '@gpu-shopper/providers';

export class ProviderRegistry {
  private readonly adapters = new Map<ProviderName, ProviderAdapter>();
  private readonly listeners: ((adapter: ProviderAdapter) => void)[] = [];

  constructor(adapters: readonly ProviderAdapter[]) {
    for (const adapter of adapters) this.adapters.set(adapter.name, adapter);
  }

  all(): ProviderAdapter[] {
    return [...this.adapters.values()];
  }

  get(name: ProviderName): ProviderAdapter {
    const adapter = this.adapters.get(name);
    if (adapter === undefined) throw new UnavailableError(`provider ${name} is not configured on this server`);
    return adapter;
  }

  has(name: ProviderName): boolean {
    return this.adapters.has(name);
  }

  replace(adapter: ProviderAdapter): void {
    this.adapters.set(adapter.name, adapter);
    for (const listener of this.listeners) listener(adapter);
  }

  onReplace(listener: (adapter: ProviderAdapter) => void): void {
    this.listeners.push(listener);
  }
}
