// Errors the agent's services raise, and their one mapping to tRPC codes (HTTP statuses follow).
import { TRPCError } from '@trpc/server';
import { WorkspacePathError } from './files/workspace-path';
import { JobNotFoundError, JobNotRunningError } from './ml/job-manager';

/** The LLM engine is absent, not ready yet, or answered with an error. */
export class LlmUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmUnavailableError';
  }
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly upstreamStatus: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Carries the offending input field to the error formatter. */
export interface FieldCause {
  field?: string;
}

/**
 * The agent's REST error body: the same shape as the shopper API's, so one client handles both.
 * `code` is the status by name (tRPC's names, plus RANGE_NOT_SATISFIABLE and INSUFFICIENT_STORAGE).
 */
export interface RestErrorBody {
  message: string;
  code: string;
  data: { code: string; httpStatus: number; field: string | null; fieldErrors: Record<string, string[]> | null };
}

export function restErrorBody(httpStatus: number, code: string, message: string, field: string | null = null, fieldErrors: Record<string, string[]> | null = null): RestErrorBody {
  return { message, code, data: { code, httpStatus, field, fieldErrors } };
}

/** The OpenAI-compatible pass-through, whose clients (the OpenAI SDKs) read OpenAI's error envelope instead. */
export const OPENAI_PASSTHROUGH_PREFIX = '/node/v1/llm/v1/';

/** The error body for a request to `path`: OpenAI's envelope on the pass-through, the shopper's shape elsewhere. */
export function errorBodyFor(path: string, httpStatus: number, code: string, message: string, field: string | null = null): RestErrorBody | { error: { code: string; message: string; param: string | null } } {
  return path.startsWith(OPENAI_PASSTHROUGH_PREFIX) ? { error: { code, message, param: field } } : restErrorBody(httpStatus, code, message, field);
}

export function toTrpcError(error: unknown): TRPCError | null {
  if (error instanceof TRPCError) return error;
  if (error instanceof WorkspacePathError) return new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: Object.assign(error, { field: 'path' }) });
  if (error instanceof JobNotFoundError || error instanceof NotFoundError) return new TRPCError({ code: 'NOT_FOUND', message: error.message, cause: error });
  if (error instanceof JobNotRunningError) return new TRPCError({ code: 'CONFLICT', message: error.message, cause: error });
  if (error instanceof LlmUnavailableError) return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: error.message, cause: error });
  if (error instanceof UpstreamError) {
    const code = error.upstreamStatus === 400 ? 'BAD_REQUEST' : error.upstreamStatus === 404 ? 'NOT_FOUND' : 'BAD_GATEWAY';
    return new TRPCError({ code, message: error.message, cause: error });
  }
  return null;
}

/** HTTP status and code for the raw (streaming) routes, which bypass tRPC. */
export function httpErrorFor(error: unknown): { statusCode: number; code: string; message: string; field?: string } {
  if (error instanceof HttpError) return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  if (error instanceof WorkspacePathError) return { statusCode: 400, code: 'BAD_REQUEST', message: error.message, field: 'path' };
  if (error instanceof JobNotFoundError || error instanceof NotFoundError) return { statusCode: 404, code: 'NOT_FOUND', message: error.message };
  if (error instanceof JobNotRunningError) return { statusCode: 409, code: 'CONFLICT', message: error.message };
  if (error instanceof LlmUnavailableError) return { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: error.message };
  const fsError = FS_ERRORS[(error as NodeJS.ErrnoException | null)?.code ?? ''];
  if (fsError) return fsError;
  return { statusCode: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' };
}

/** File-system failures a user can cause or fix; anything else stays an opaque 500. */
const FS_ERRORS: Record<string, { statusCode: number; code: string; message: string; field?: string }> = {
  ENOENT: { statusCode: 404, code: 'NOT_FOUND', message: 'No such file or directory', field: 'path' },
  ENOTDIR: { statusCode: 409, code: 'CONFLICT', message: 'A parent of the path is not a directory', field: 'path' },
  EISDIR: { statusCode: 409, code: 'CONFLICT', message: 'The path is a directory', field: 'path' },
  EEXIST: { statusCode: 409, code: 'CONFLICT', message: 'The path already exists', field: 'path' },
  EACCES: { statusCode: 403, code: 'FORBIDDEN', message: 'Permission denied', field: 'path' },
  ENAMETOOLONG: { statusCode: 400, code: 'BAD_REQUEST', message: 'The path is too long', field: 'path' },
  ENOSPC: { statusCode: 507, code: 'INSUFFICIENT_STORAGE', message: 'No space left on the workspace disk' },
};

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
