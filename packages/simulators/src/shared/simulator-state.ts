// What both simulators do with a state directory: read the previous run's state (checked to be this
// simulator's), and kill the node process groups that run left behind before nodes are relaunched.
import { killLeftoverNodeGroup, nodeMarkerOf } from '../runtime/process-groups';
import { checkStateHeader, type StoredStateHeader } from './instance-snapshot';
import type { InstanceLifecycle, SimInstance } from './lifecycle';
import { adoptPorts, type PortClaim } from './node-ports';
import { StateFile } from './state-file';

/** The previous run's state at `path`, or null when there is none (or no path: nothing persists). */
export function readSimulatorState<T extends StoredStateHeader>(path: string | undefined, header: StoredStateHeader): T | null {
  if (path === undefined) return null;
  const state = StateFile.read(path);
  if (state === null) return null;
  checkStateHeader(state, header, path);
  return state as T;
}

/**
 * Puts the previous run's instances back, kills the node processes it left, and claims (without
 * binding: their nodes will) the ports of the instances still alive. Their nodes are relaunched by
 * `lifecycle.resumeNodes()` once the simulator serves again.
 */
export async function restoreInstances<D>(provider: 'vastai' | 'tensordock', lifecycle: InstanceLifecycle<D>, instances: SimInstance<D>[], portsOf: (data: D) => number[]): Promise<Map<string, PortClaim>> {
  lifecycle.restore(instances);
  await killLeftoverNodes(provider, instances);
  const claims = new Map<string, PortClaim>();
  for (const instance of instances) if (instance.phase !== 'destroyed') claims.set(instance.id, adoptPorts(portsOf(instance.data)));
  return claims;
}

/** Kills what the previous run's nodes left running, so their ports are free for the relaunch. */
async function killLeftoverNodes<D>(provider: 'vastai' | 'tensordock', instances: Iterable<SimInstance<D>>): Promise<void> {
  const leftovers = [...instances].filter((instance) => instance.nodePgid !== null);
  await Promise.all(leftovers.map((instance) => killLeftoverNodeGroup(instance.nodePgid!, nodeMarkerOf({ provider, instanceId: instance.id }))));
  for (const instance of leftovers) instance.nodePgid = null;
}
