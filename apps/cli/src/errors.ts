// Turns anything a command throws into one line for stderr (or, with --json, one JSON object) and
// an exit code: 2 for the user's mistakes (bad flags, missing settings), 1 for everything else.
import { UsageError } from './clipanion';
import type { ShopperErrorInfo } from '@gpu-shopper/sdk';
import { ConfigFileError } from './config-store';
import { isClientError, loadSdk } from './sdk';

export const EXIT_API_ERROR = 1;
export const EXIT_USAGE_ERROR = 2;

/** A command's own "this did not work" (exit 1), already worded for the user. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';

  /** `code` is what `--json` errors carry ("TIMEOUT", "NOT_READY"...). */
  constructor(
    message: string,
    readonly code = 'FAILED',
  ) {
    super(message);
  }
}

/** The code `--json` errors carry for the user's own mistakes (exit 2). */
export const USAGE_CODE = 'USAGE';

/** What the SDK makes of a failed call, or null for anything else (without loading the SDK for it). */
async function apiErrorInfo(error: unknown): Promise<ShopperErrorInfo | null> {
  if (!isClientError(error)) return null;
  const { describeShopperError, TRPCClientError } = await loadSdk();
  return error instanceof TRPCClientError ? describeShopperError(error) : null;
}

/** The API's error code ("FORBIDDEN", "NOT_FOUND"...) of a failed call, or null for anything else. */
export async function apiErrorCode(error: unknown): Promise<string | null> {
  return (await apiErrorInfo(error))?.code ?? null;
}

export interface Failure {
  message: string;
  exitCode: number;
  /** The API's code ("NOT_FOUND"...), or the CLI's own ("USAGE", "CONFIG", "FAILED", "INTERNAL"). */
  code: string;
  /** The option or input field it is about, when one is ("--hours", "max_price"). */
  field: string | null;
}

/** A usage message that starts with an option's name names that option: "--hours must be...". */
function fieldOf(message: string): string | null {
  return /^(--[a-z][\w-]*)\b/.exec(message)?.[1] ?? null;
}

/** `--json` errors: one object on stderr, so a script reads what went wrong without parsing prose. */
export function failureJson(failure: Pick<Failure, 'code' | 'message' | 'field'>): string {
  return `${JSON.stringify({ error: { code: failure.code, message: failure.message, field: failure.field } })}\n`;
}

/** Hints that point at the fix, keyed by what went wrong. */
const SET_URL_HINT = 'is it running? set it with "gpu-shopper config set server-url"';
export const SET_KEY_HINT = 'set one with "gpu-shopper config set api-key" or GPU_SHOPPER_API_KEY';

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text.trim();
}

/** "invalid input: max_price: Too big..." → "max_price: Too big..." (the field leads). */
function validationMessage(message: string, field: string | null): string {
  const detail = message.replace(/^invalid input:\s*/i, '');
  return field !== null && !detail.startsWith(`${field}:`) ? `${field}: ${detail}` : detail;
}

export async function describeFailure(error: unknown, serverUrl: string | null): Promise<Failure> {
  if (error instanceof UsageError) {
    const message = firstLine(error.message);
    return { message, exitCode: EXIT_USAGE_ERROR, code: USAGE_CODE, field: fieldOf(message) };
  }
  if (error instanceof ConfigFileError) return { message: error.message, exitCode: EXIT_USAGE_ERROR, code: 'CONFIG', field: null };
  if (error instanceof CommandFailure) return { message: error.message, exitCode: EXIT_API_ERROR, code: error.code, field: null };
  const info = await apiErrorInfo(error);
  if (info !== null) return { ...describeApiFailure(info, serverUrl), code: info.code, field: info.field };
  const message = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${firstLine(message)}`, exitCode: EXIT_API_ERROR, code: 'INTERNAL', field: null };
}

function describeApiFailure(info: ShopperErrorInfo, serverUrl: string | null): Pick<Failure, 'message' | 'exitCode'> {
  const status = info.httpStatus ?? '';
  switch (info.code) {
    case 'UNREACHABLE':
      return { message: `cannot reach the server at ${serverUrl ?? 'the configured URL'} (${SET_URL_HINT})`, exitCode: EXIT_API_ERROR };
    case 'UNAUTHORIZED':
      return { message: `the API key was rejected (${status}): ${info.message} (${SET_KEY_HINT})`, exitCode: EXIT_API_ERROR };
    case 'FORBIDDEN':
      return { message: `not allowed (${status}): ${info.message}`, exitCode: EXIT_API_ERROR };
    case 'BAD_REQUEST':
      return { message: validationMessage(info.message, info.field), exitCode: EXIT_API_ERROR };
    case 'TOO_MANY_REQUESTS': {
      // The message is the server's own ("... retry in N s"); the wait, when it says none.
      const wait = info.retryAfterSeconds !== null && !/retry in/i.test(info.message) ? `; retry in ${info.retryAfterSeconds} s` : '';
      return { message: `rate limited by the server (${status}): ${info.message}${wait}`, exitCode: EXIT_API_ERROR };
    }
    default:
      return { message: `${info.message} (${status})`, exitCode: EXIT_API_ERROR };
  }
}
