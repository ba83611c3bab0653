// Public entry of the agent package: startAgent and config, plus the types the control plane and
// SDK import (router type for the typed client, heartbeat contract, node status).
export { startAgent } from './agent';
export type { AgentDeps, RunningAgent } from './agent';
export { configFromEnv, ConfigError, DEFAULT_LLM_COMMAND, WORKLOADS } from './config';
export type { AgentConfig, IdlePolicy, Workload } from './config';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { agentRouter, createCaller } from './router';
export type { AgentRouter, RouterInputs, RouterOutputs } from './router';
export { heartbeatPath, heartbeatRequestSchema, heartbeatResponseSchema, heartbeatStatusSummarySchema } from './heartbeat/contract';
export type { HeartbeatRequest, HeartbeatResponse, HeartbeatStatusSummary } from './heartbeat/contract';
export type { NodeStatus } from './status/node-status';
export { createAgentClient } from './client';
export type { AgentClient, AgentClientOptions } from './client';
export { jsonDepthExceeds } from './server/json-body';
