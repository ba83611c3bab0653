// The LLM engine's states, in one place: the engine, the node status and the heartbeat contract all
// name them, and a state added here reaches all three. Only zod-free constants (the contract imports it).

/**
 * `starting`: spawned (or external) and not yet serving the requested model; `ready`: serves it;
 * `exited`: a managed engine exited and its restart is scheduled; `failed`: it exited once more
 * after the last allowed restart and is given up (terminal until the agent restarts);
 * `stopped`: stopped by the agent's shutdown; `disabled`: the workload runs no LLM.
 */
export const LLM_ENGINE_STATES = ['disabled', 'starting', 'ready', 'exited', 'failed', 'stopped'] as const;
export type LlmEngineState = (typeof LLM_ENGINE_STATES)[number];
