// What a node is started with: the agent's configuration (session, token, reservation end, where
// the shopper is), the bootstrap script that starts it, the ports to expose and our label.
import type { Offer, Workload } from '@gpu-shopper/domain';
import type { InstanceSpec } from '@gpu-shopper/providers';

export const AGENT_PORT = 8787;
export const SSH_PORT = 22;

/** The agent bundle a node without it in its image downloads (AGENT_BUNDLE_URL) and checks (AGENT_BUNDLE_SHA256). */
export interface AgentBundle {
  url: string;
  sha256: string;
}

export interface NodeSpecInput {
  sessionId: string;
  label: string;
  nodeToken: string;
  reservationEndsAt: Date;
  workload: Workload;
  llmModel: string | null;
  sshPublicKey: string | null;
  shopperPublicUrl: string;
  bootstrapScript: string;
  agentBundle: AgentBundle | null;
  image: string;
  diskGb: number;
}

export function buildNodeSpec(input: NodeSpecInput, offer: Offer): InstanceSpec {
  const env: Record<string, string> = {
    GPU_SHOPPER_URL: input.shopperPublicUrl,
    GPU_SHOPPER_SESSION_ID: input.sessionId,
    GPU_SHOPPER_NODE_TOKEN: input.nodeToken,
    GPU_SHOPPER_RESERVATION_END: input.reservationEndsAt.toISOString(),
    GPU_SHOPPER_WORKLOAD: input.workload,
    AGENT_PORT: String(AGENT_PORT),
  };
  if (input.llmModel !== null) env.GPU_SHOPPER_LLM_MODEL = input.llmModel;
  if (input.agentBundle !== null) {
    env.AGENT_BUNDLE_URL = input.agentBundle.url;
    env.AGENT_BUNDLE_SHA256 = input.agentBundle.sha256;
  }
  return {
    image: input.image,
    diskGb: Math.max(input.diskGb, offer.diskGb),
    env,
    ports: [SSH_PORT, AGENT_PORT],
    bootstrapScript: input.bootstrapScript,
    sshPublicKey: input.sshPublicKey,
    label: input.label,
  };
}
