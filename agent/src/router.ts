// The agent's root router: composes the per-area routers; its type is what the typed client imports.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { filesRouter } from './files/files.router';
import { llmRouter } from './llm/llm.router';
import { mlRouter } from './ml/ml.router';
import { statusRouter } from './status/status.router';
import { createCallerFactory, router } from './trpc';

export const agentRouter = router({
  status: statusRouter,
  llm: llmRouter,
  files: filesRouter,
  ml: mlRouter,
});

export type AgentRouter = typeof agentRouter;
export const createCaller = createCallerFactory(agentRouter);
export type RouterInputs = inferRouterInputs<AgentRouter>;
export type RouterOutputs = inferRouterOutputs<AgentRouter>;
