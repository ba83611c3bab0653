// Request context in two layers: the pure inner one (the runtime's services) for createCaller
// tests, and the outer one that checks the Authorization header of an HTTP request.
import type { IncomingHttpHeaders } from 'node:http';
import { isAuthorized } from './auth/bearer';
import type { AgentRuntime } from './runtime';

export interface AgentContext {
  runtime: AgentRuntime;
  isAuthenticated: boolean;
}

export function createInnerContext(runtime: AgentRuntime, isAuthenticated: boolean): AgentContext {
  return { runtime, isAuthenticated };
}

export function createHttpContext(runtime: AgentRuntime, headers: IncomingHttpHeaders): AgentContext {
  return createInnerContext(runtime, isAuthorized(headers.authorization, runtime.config.nodeToken));
}
