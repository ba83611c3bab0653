// What keeps a simulated node, a process on the operator's own machine, from the operator's secrets:
// its own env (never the server's), its own workspace, and, when we run as root, its own user.
// See SANDBOX.md beside this file for the design and what remains when we are not root.
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The user a node's processes run as. */
export interface NodeUser {
  uid: number;
  gid: number;
}

/** nobody:nogroup on Debian and most Linux; the fallback where /etc/passwd names no `nobody`. */
const NOBODY_FALLBACK: NodeUser = { uid: 65_534, gid: 65_534 };

/** What every node's shell gets besides its provider env: a real node image's defaults. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Who nodes run as: as root, `nobody` (from /etc/passwd, else 65534:65534), so a node's jobs cannot
 * read what the server can; otherwise null, meaning our own user (the best we can do without root).
 */
export function defaultNodeUser(passwd = readPasswd()): NodeUser | null {
  if (!runningAsRoot()) return null;
  return nobodyIn(passwd) ?? NOBODY_FALLBACK;
}

/** `nobody`'s uid and gid from passwd(5) text; null when it names none. */
export function nobodyIn(passwd: string): NodeUser | null {
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'nobody' && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/**
 * The env a node starts from: what a node image has without anyone setting it (PATH, HOME, LANG),
 * with the directory of our `node` on PATH, since that is the runtime the agent (and a job that
 * wants node) uses. Nothing else of the server's process.env.
 */
export function minimalNodeEnv(workspace: string): Record<string, string> {
  const nodeDir = dirname(process.execPath);
  const path = SYSTEM_PATH.split(':').includes(nodeDir) ? SYSTEM_PATH : `${nodeDir}:${SYSTEM_PATH}`;
  return { PATH: path, HOME: workspace, LANG: 'C.UTF-8' };
}

/**
 * A fresh directory for one node, 0700 and owned by the node's user. Under the temp dir when the
 * node's user can reach it; else under /tmp (a private TMPDIR, e.g. a 0700 work dir, would leave the
 * dropped user unable to reach its own workspace).
 */
export function createNodeWorkspace(instanceId: string, user: NodeUser | null): string {
  const safeId = instanceId.replace(/[^A-Za-z0-9_.-]/g, '_');
  const base = user === null || reachableBy(tmpdir(), user, EXECUTE_BIT) ? tmpdir() : '/tmp';
  const workspace = mkdtempSync(join(base, `gpu-shopper-node-${safeId}-`));
  chmodSync(workspace, 0o700);
  if (user !== null) chownSync(workspace, user.uid, user.gid);
  return workspace;
}

/**
 * Removes a node's workspace (its files are the node's disk: gone with the node). Best effort: a
 * node running as ourselves can leave a directory we may not empty (mode 0500), and a node's stop
 * must not fail over its files.
 */
export function removeNodeWorkspace(workspace: string): void {
  try {
    rmSync(workspace, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // left behind under the temp dir, as before workspaces were removed at all
  }
}

export const READ_BIT = 4;
export const EXECUTE_BIT = 1;

/**
 * Whether `user` (without supplementary groups, as a dropped node has none) may search every
 * directory above `path` and has `bits` (READ_BIT, EXECUTE_BIT or both; on a directory, execute
 * is search) on `path` itself. Mode bits only: ACLs and the like are not read.
 */
export function reachableBy(path: string, user: NodeUser, bits: number): boolean {
  if (user.uid === 0) return true;
  const target = resolve(path);
  try {
    for (let dir = dirname(target); ; dir = dirname(dir)) {
      if (!permits(statSync(dir), user, EXECUTE_BIT)) return false;
      if (dir === dirname(dir)) break;
    }
    return permits(statSync(target), user, bits);
  } catch {
    return false;
  }
}

function permits(stat: Stats, user: NodeUser, bits: number): boolean {
  const shift = stat.uid === user.uid ? 6 : stat.gid === user.gid ? 3 : 0;
  return ((stat.mode >> shift) & bits) === bits;
}

/**
 * Why nodes running as `user` could not start the agent: the files it needs (the node binary, the
 * agent bundle or sources, the tsx loader) that user cannot reach. Empty when all is well.
 */
export function unreachableFiles(user: NodeUser, files: { path: string; bits: number }[]): string[] {
  return files.filter(({ path, bits }) => !reachableBy(path, user, bits)).map(({ path }) => path);
}
