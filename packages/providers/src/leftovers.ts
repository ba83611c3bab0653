// After a create that failed ambiguously (a timeout, a 5xx), the instance it may have made anyway is
// found by its label. An earlier failed attempt for the same session may have left one too, already
// being destroyed: that one is not this attempt's, so the newest live one is.
import type { ProviderInstance } from './adapter';

export function newestLeftover(instances: readonly ProviderInstance[], label: string): ProviderInstance | undefined {
  return instances.filter((instance) => instance.label === label && instance.state !== 'terminated' && instance.state !== 'destroying').at(-1);
}
