// The agent's status, read the way the control plane reads it: through the typed tRPC client.
import { createAgentClient } from '../client';
import type { NodeStatus } from '../status/node-status';

export type StatusReader = () => Promise<NodeStatus>;

export function statusReader(url: string, token: string): StatusReader {
  const client = createAgentClient({ url, token });
  return () => client.status.get.query({});
}

/** The busiest GPU's utilization in a status, null when none reports one. */
export function maxUtilizationPercent(status: Pick<NodeStatus, 'gpu'>): number | null {
  const values = status.gpu.gpus.map((gpu) => gpu.utilizationPercent).filter((value): value is number => value !== null);
  return values.length > 0 ? Math.max(...values) : null;
}
