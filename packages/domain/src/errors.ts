// Typed domain errors. Services throw these; each transport maps them to its own status codes
// in exactly one place (the API's error mapper, the CLI's error printer).

export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNPROCESSABLE'
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PRECONDITION_FAILED'
  | 'PAYMENT_REQUIRED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** The input field the error is about, when there is one. */
  readonly field?: string;

  constructor(message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.field !== undefined) this.field = options.field;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(entity: string, id: string) {
    super(`${entity} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/** A request that contradicts an earlier one (an idempotency key reused with another body). */
export class IdempotencyConflictError extends DomainError {
  readonly code = 'UNPROCESSABLE';
  constructor(idempotencyKey: string) {
    super(`Idempotency-Key ${idempotencyKey} was already used with a different request body; use a new key for a new request`, { field: 'Idempotency-Key' });
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION';
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { field });
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** The request is valid, but the target's state does not allow it (e.g. extending a terminated session). */
export class InvalidStateError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
}

export class BudgetExceededError extends DomainError {
  readonly code = 'PAYMENT_REQUIRED';
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
}

/** A capability this server cannot serve right now (no provider configured, provisioning not available). */
export class UnavailableError extends DomainError {
  readonly code = 'UNAVAILABLE';
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
