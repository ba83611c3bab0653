// Node processes run as their own process groups (a node outlives a crashed simulator, as a real
// machine outlives its provider's API). A restarted simulator kills the groups its previous run left,
// so their ports are free for the relaunched nodes, and never an unrelated process that reused the id.
import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { removeNodeWorkspace } from './node-sandbox';

/** Set in every node's env: "<provider>:<instanceId>". */
export const SIM_NODE_MARKER_ENV = 'GPU_SHOPPER_SIM_NODE';

export function nodeMarkerOf(node: { provider: string; instanceId: string }): string {
  return `${node.provider}:${node.instanceId}`;
}

/** Sends a signal to a whole process group; false when the group is already gone. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

type Ownership = { of: 'ours'; workspace: string | null } | { of: 'not-ours' | 'leader-gone' | 'unknown' };

/**
 * Reads the group leader's env where /proc exists (Linux) to be sure the group is our node, and its
 * cwd to find the workspace to remove with it (the cwd the runtime gave it: the env is the node's to
 * set, the agent's cwd is not).
 */
function ownershipOf(pgid: number, marker: string): Ownership {
  let environ: string[];
  try {
    environ = readFileSync(`/proc/${pgid}/environ`, 'latin1').split('\0');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { of: readableProc() ? 'leader-gone' : 'unknown' };
    return { of: 'not-ours' }; // EACCES: another user's process, never one we started
  }
  if (!environ.includes(`${SIM_NODE_MARKER_ENV}=${marker}`)) return { of: 'not-ours' };
  let cwd: string | null = null;
  try {
    cwd = readlinkSync(`/proc/${pgid}/cwd`);
  } catch {
    // no workspace to remove, then
  }
  return { of: 'ours', workspace: cwd !== null && basename(cwd).startsWith('gpu-shopper-node-') ? cwd : null };
}

function readableProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills the node process group a previous run recorded and waits until it is gone. A group whose
 * leader has exited cannot have had its id reused (ids of live groups are never handed out), so it is
 * still ours; without /proc (macOS) the recorded id is trusted.
 */
export async function killLeftoverNodeGroup(pgid: number, marker: string, timeoutMs = 3_000): Promise<boolean> {
  if (!signalProcessGroup(pgid, 0)) return false;
  const ownership = ownershipOf(pgid, marker);
  if (ownership.of === 'not-ours') return false;
  signalProcessGroup(pgid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (leaderAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (ownership.of === 'ours' && ownership.workspace !== null) removeNodeWorkspace(ownership.workspace);
  return true;
}

/** A killed leader may linger as a zombie until its new parent reaps it; its sockets are closed by then. */
function leaderAlive(pgid: number): boolean {
  if (!signalProcessGroup(pgid, 0)) return false;
  try {
    const stat = readFileSync(`/proc/${pgid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !readableProc();
  }
}
