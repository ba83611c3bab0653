// Constructor options every adapter shares, and how they become a ProviderHttp.
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import { ProviderHttp, type Logger } from './provider-http';
import { RequestBudget, type RequestBudgetOptions } from './request-budget';
import { RetryPolicy, type RetryPolicyOptions } from './retry-policy';

export interface AdapterOptions {
  /** null: no key configured (Vast search still works anonymously; everything else fails AuthFailed). */
  apiKey: string | null;
  baseUrl?: string;
  clock: Clock;
  fetch?: typeof fetch;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** A policy, or options for one (tests pass `{ sleep: async () => {} }` or tiny delays). */
  retry?: RetryPolicy | Partial<RetryPolicyOptions>;
  /** A shared budget, or options for this adapter's own; default per provider. */
  budget?: RequestBudget | RequestBudgetOptions;
  logger?: Logger;
}

export function createProviderHttp(provider: ProviderName, options: AdapterOptions, defaults: { baseUrl: string; budget: RequestBudgetOptions }): ProviderHttp {
  const retry = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy(options.retry);
  const budget = options.budget instanceof RequestBudget ? options.budget : new RequestBudget(options.budget ?? defaults.budget);
  return new ProviderHttp({
    provider,
    baseUrl: options.baseUrl ?? defaults.baseUrl,
    apiKey: options.apiKey,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    retry,
    budget,
    logger: options.logger,
  });
}
