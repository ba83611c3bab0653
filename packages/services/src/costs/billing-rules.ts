// How each provider meters what we rent, as far as its documentation says (provider-api README A5, B5).
import type { ProviderName } from '@gpu-shopper/domain';

export interface ProviderBillingRule {
  /** The meter's tick: time is billed in whole ticks per continuous interval. */
  meterTickMs: number;
}

/**
 * Vast bills compute per second while running (not while loading) and storage while the instance exists.
 * TensorDock prices per resource per hour; its metering granularity is undocumented, so we meter per
 * second like Vast (its prorated behaviour is what the simulator and third parties describe).
 */
export const PROVIDER_BILLING_RULES: Readonly<Record<ProviderName, ProviderBillingRule>> = {
  vastai: { meterTickMs: 1_000 },
  tensordock: { meterTickMs: 1_000 },
};
