// The one place domain errors become tRPC (and so HTTP) errors, and the error shape clients see:
// a message, a code, the field at fault — never a stack trace or an internal detail.
import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { OptimisticLockError } from '@mikro-orm/core';
import { ZodError, z } from 'zod';
import { DomainError, type DomainErrorCode } from '@gpu-shopper/domain';

const CODES: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNPROCESSABLE: 'UNPROCESSABLE_CONTENT',
  VALIDATION: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** Maps what a procedure threw to the error the client gets; unknown errors become a bare 500. */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause !== undefined ? error.cause : error;
  if (cause instanceof DomainError) return new TRPCError({ code: CODES[cause.code], message: cause.message, cause });
  if (cause instanceof OptimisticLockError) {
    return new TRPCError({ code: 'CONFLICT', message: 'the record was changed by another request; retry', cause });
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'internal error', cause: error instanceof Error ? error : undefined });
}

export interface ErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  /** The input field at fault, when one is. */
  field: string | null;
  /** For validation failures: each invalid field and what is wrong with it. */
  fieldErrors: Record<string, string[]> | null;
}

export function errorData(error: TRPCError, httpStatus: number): ErrorData {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of cause.issues) {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
      (fieldErrors[path] ??= []).push(issue.message);
    }
    return { code: error.code, httpStatus, field: Object.keys(fieldErrors)[0] ?? null, fieldErrors };
  }
  const field = cause instanceof DomainError ? (cause.field ?? null) : null;
  return { code: error.code, httpStatus, field, fieldErrors: null };
}

/** "max_price: Invalid input: expected number, received NaN; limit: ..." — names every field at fault. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`).join('; ');
}

export { z };
