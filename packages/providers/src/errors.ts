// Structured provider errors the services can act on. Messages never carry provider keys.
import type { ProviderName } from '@gpu-shopper/domain';

export abstract class ProviderError extends Error {
  abstract readonly kind: 'offer_gone' | 'rate_limited' | 'auth_failed' | 'unavailable' | 'contract' | 'rejected' | 'create_failed';
  constructor(
    readonly provider: ProviderName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** The offer was rented out or withdrawn between search and create (Vast 404/410 no_such_ask, TensorDock "Hostnode unavailable"). */
export class OfferGoneError extends ProviderError {
  readonly kind = 'offer_gone';
}

/** The provider said 429 (or its equivalent) and retries did not get through. */
export class RateLimitedError extends ProviderError {
  readonly kind = 'rate_limited';
  constructor(provider: ProviderName, message: string, readonly retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(provider, message, options);
  }
}

export class AuthFailedError extends ProviderError {
  readonly kind = 'auth_failed';
}

/** 5xx, timeouts, connection refused: the provider is not answering usefully right now. */
export class ProviderUnavailableError extends ProviderError {
  readonly kind = 'unavailable';
}

/** The provider answered with a shape we do not understand. Never read as "nothing there". */
export class ProviderContractError extends ProviderError {
  readonly kind = 'contract';
}

/** The provider refused the request itself (4xx validation): retrying the same request will not help. */
export class ProviderRejectedError extends ProviderError {
  readonly kind = 'rejected';
  constructor(provider: ProviderName, message: string, readonly status: number | null = null, options?: { cause?: unknown }) {
    super(provider, message, options);
  }
}

/**
 * A create that failed but left an instance behind (Vast new_contract on an error, or an instance
 * carrying our label found after a timed-out create). The adapter has tried to destroy it; the id is
 * reported so the services can record it and make sure.
 */
export class CreateFailedError extends ProviderError {
  readonly kind = 'create_failed';
  /** Whether the instance it left was running when found (billed for compute too); null when unknown. */
  readonly createdInstanceRunning: boolean | null;
  constructor(
    provider: ProviderName,
    message: string,
    readonly createdInstanceId: string | null,
    readonly orphanDestroyed: boolean,
    options?: { cause?: unknown; running?: boolean | null },
  ) {
    super(provider, message, options);
    this.createdInstanceRunning = options?.running ?? null;
  }
}
