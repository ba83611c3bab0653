// Typed client for the agent's tRPC API (used by the control plane and the SDK); it imports only
// the agent's router type, so no server code ends up in the caller's bundle.
import { createTRPCClient, httpLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';
import type { AgentRouter } from './router';

export interface AgentClientOptions {
  /** The node's agent base URL, e.g. https://node.example:8080 (without /node/...). */
  url: string;
  /** The session token. */
  token: string;
  fetch?: typeof fetch;
}

export type AgentClient = TRPCClient<AgentRouter>;

export function createAgentClient(options: AgentClientOptions): AgentClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  return createTRPCClient<AgentRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/node/trpc`,
        headers: () => ({ authorization: `Bearer ${options.token}` }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}
