// The SDK, and @trpc/client under it, loaded the first time a command talks to a server: help,
// completion, config and parse errors start without them (the built CLI keeps it in a chunk of its own).
import type * as SdkModule from '@gpu-shopper/sdk';

export type Sdk = typeof SdkModule;

export function loadSdk(): Promise<Sdk> {
  return import('@gpu-shopper/sdk');
}

/** A tRPC client error, told by its name (which tRPC sets) so that asking does not load the SDK. */
export function isClientError(error: unknown): boolean {
  return error instanceof Error && error.name === 'TRPCClientError';
}
