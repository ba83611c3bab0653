// The node side of a simulation, shared by the server's in-process simulation and `npm run sim`: real
// agents per running instance and, since a simulated llm node has no GPU to run vLLM on, one fake
// model upstream (answering for any model name) that their agents proxy to.
import { startFakeLlmUpstream } from '../llm/fake-llm-upstream';
import { agentNodeRuntime, type AgentNodeLogger } from './agent-node-runtime';
import type { OnInstanceRunning, SimNodeLaunch } from './node-runtime';

export interface SimulatedAgentNodes {
  /** Undefined when the agent cannot be run here (no bundle, no tsx): instances then run without nodes. */
  onInstanceRunning: OnInstanceRunning | undefined;
  close(): Promise<void>;
}

export interface SimulatedAgentNodesOptions {
  /** The agent's port inside a node whose env names none. */
  agentPort?: number;
  logger?: AgentNodeLogger;
  onOutput?: (launch: SimNodeLaunch, chunk: string) => void;
  /** The model id the fake upstream reports. */
  llmModelId?: string;
  /** Extra agent env (tests: a short heartbeat interval); nodes never inherit the caller's process.env. */
  agentEnv?: Record<string, string>;
}

export async function startSimulatedAgentNodes(options: SimulatedAgentNodesOptions = {}): Promise<SimulatedAgentNodes> {
  const llm = await startFakeLlmUpstream({ modelId: options.llmModelId ?? 'simulated-echo', anyModel: true });
  const runtime = agentNodeRuntime({
    agentPort: options.agentPort,
    logger: options.logger,
    onOutput: options.onOutput,
    // No engine command: the agent proxies to the upstream that is already up, as the engine of the
    // model the node was given (the agent is ready only when its engine lists that model).
    extraEnv: (nodeEnv) => {
      const model = nodeEnv.GPU_SHOPPER_LLM_MODEL;
      return { ...options.agentEnv, AGENT_LLM_COMMAND: '', AGENT_LLM_UPSTREAM_URL: model ? llm.urlFor(model) : llm.url };
    },
  });
  return { onInstanceRunning: runtime ?? undefined, close: () => llm.close() };
}
