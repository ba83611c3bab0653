// The node runtime hook: when a simulated instance reaches running, start a local process for it with
// exactly what the real node would get from the create request; stop it when the instance stops or goes.
// Each node is sandboxed (its own env, workspace and, as root, user): see SANDBOX.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { createNodeWorkspace, defaultNodeUser, minimalNodeEnv, removeNodeWorkspace, type NodeUser } from './node-sandbox';
import { OutputTail } from './output-tail';
import { nodeMarkerOf, SIM_NODE_MARKER_ENV, signalProcessGroup } from './process-groups';

export interface SimNodeLaunch {
  provider: 'vastai' | 'tensordock';
  instanceId: string;
  label: string | null;
  /** The container env as the node sees it (Vast: create env + CONTAINER_ID + CONTAINER_API_KEY + VAST_TCP_PORT_*). */
  env: Record<string, string>;
  /** Vast onstart script. */
  onstart: string | null;
  /** TensorDock cloud-init object as sent on create. */
  cloudInit: unknown;
  /** Internal port -> external port. */
  portMappings: Record<number, number>;
  /** The simulator's base URL (where CONTAINER_API_KEY works). */
  providerApiUrl: string;
}

/** How a node process ended without the simulator stopping it. */
export interface SimNodeDeath {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the node wrote (the provider's status message). */
  outputTail: string;
  /**
   * The container exited (its main process ended by itself): the instance fails. False for a process
   * killed by a signal from outside: on a real node the agent dies but the machine stays up, so the
   * instance keeps running and the server has to notice the silence.
   */
  containerExited: boolean;
}

export interface SimNodeHandle {
  /** Settles once the node (its whole process group) is gone. */
  stop(): void | Promise<void>;
  /** The node process, when the runtime spawned one (fault tests kill it to simulate a crash). */
  pid?: number;
  /** Settles when the node dies on its own; never when the simulator stopped it. */
  died?: Promise<SimNodeDeath>;
}

export type OnInstanceRunning = (launch: SimNodeLaunch) => SimNodeHandle | Promise<SimNodeHandle>;

/**
 * The env the node's processes see: the container env (Vast) plus what TensorDock's cloud-init gives
 * the node: its env file (a write_files entry ending in `.env`, `NAME=value` lines taken literally,
 * as docker --env-file reads them) and any `export NAME='value'` lines of runcmd.
 */
export function nodeEnvOf(launch: SimNodeLaunch): Record<string, string> {
  const env: Record<string, string> = {};
  const cloudInit = launch.cloudInit as { runcmd?: unknown; write_files?: unknown } | null;
  for (const file of Array.isArray(cloudInit?.write_files) ? (cloudInit.write_files as { path?: unknown; content?: unknown }[]) : []) {
    if (typeof file?.path !== 'string' || !file.path.endsWith('.env') || typeof file.content !== 'string') continue;
    for (const line of file.content.split('\n')) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line);
      if (match) env[match[1]!] = match[2]!;
    }
  }
  const runcmd = cloudInit?.runcmd;
  for (const line of Array.isArray(runcmd) ? runcmd : []) {
    const match = typeof line === 'string' ? /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line) : null;
    if (match) env[match[1]!] = unquoteShell(match[2]!);
  }
  return { ...env, ...launch.env };
}

/** Undoes single-quote shell quoting ('it'\''s' -> it's); unquoted words pass through. */
function unquoteShell(word: string): string {
  if (!word.startsWith("'")) return word;
  return word.replace(/^'|'$/g, '').replace(/'\\''/g, "'");
}

/** The shell script a launch runs: Vast's onstart, or TensorDock's cloud-init runcmd lines. */
export function bootstrapScriptOf(launch: SimNodeLaunch): string {
  if (launch.onstart !== null) return launch.onstart;
  const runcmd = (launch.cloudInit as { runcmd?: unknown } | null)?.runcmd;
  if (!Array.isArray(runcmd)) return '';
  return runcmd.map((entry) => (Array.isArray(entry) ? entry.map(String).join(' ') : String(entry))).join('\n');
}

/** What the runtime made for one node before starting it. */
export interface SimNodeSandbox {
  /** The node's own directory (its cwd and HOME), removed when the node is gone. */
  workspace: string;
}

export interface SimNodeCommand {
  command: string;
  args: string[];
  /** Env on top of the node's (the launch env); nothing of the server's process.env is ever added. */
  env?: Record<string, string>;
}

export interface SpawnRuntimeOptions {
  /** Default: run the bootstrap script with `sh -c`. */
  command?: (launch: SimNodeLaunch, sandbox: SimNodeSandbox) => SimNodeCommand;
  /** Extra env for every process (e.g. where the agent binary lives). */
  env?: Record<string, string>;
  /**
   * Who node processes run as. Default: `nobody` when we are root (a node's jobs are anyone's code),
   * else ourselves. Null: ourselves, whoever that is.
   */
  user?: NodeUser | null;
  onOutput?: (launch: SimNodeLaunch, chunk: string) => void;
  /**
   * The process is the node's main process (the agent itself), so exiting 0 ends the node too.
   * Default false: a bootstrap script exits 0 once it has started its work in the background.
   */
  mainProcess?: boolean;
  /** SIGTERM, then SIGKILL after this long (default 3 s). */
  stopGraceMs?: number;
}

/** Waits this long after the exit for the last output (the reason it died is usually its last line). */
const LAST_OUTPUT_WAIT_MS = 250;

/** The default hook: spawns a local process group per running instance, killed on stop. */
export function createSpawnRuntime(options: SpawnRuntimeOptions = {}): OnInstanceRunning {
  const user = options.user === undefined ? defaultNodeUser() : options.user;
  return (launch) => {
    const workspace = createNodeWorkspace(launch.instanceId, user);
    let child: ChildProcess;
    try {
      const spec: SimNodeCommand = options.command?.(launch, { workspace }) ?? { command: 'sh', args: ['-c', bootstrapScriptOf(launch)] };
      child = spawn(spec.command, spec.args, {
        // Only what a real node would have: never the server's process.env (its admin key, database
        // URL, provider keys). The marker lets a restarted simulator tell its own leftover node from
        // an unrelated process.
        env: { ...minimalNodeEnv(workspace), ...options.env, ...launch.env, ...spec.env, [SIM_NODE_MARKER_ENV]: nodeMarkerOf(launch) },
        cwd: workspace,
        ...(user === null ? {} : { uid: user.uid, gid: user.gid }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      removeNodeWorkspace(workspace);
      throw error;
    }
    const tail = new OutputTail();
    const onChunk = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail.push(text);
      options.onOutput?.(launch, text);
    };
    child.stdout?.on('data', onChunk);
    child.stderr?.on('data', onChunk);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('error', (error) => {
        tail.push(`${error.message}\n`);
        resolve({ code: 127, signal: null });
      });
      child.once('exit', (code, signal) => {
        const settle = () => resolve({ code, signal });
        const timer = setTimeout(settle, LAST_OUTPUT_WAIT_MS);
        child.once('close', () => {
          clearTimeout(timer);
          settle();
        });
      });
    });
    let stopping = false;
    const died = exited.then(({ code, signal }): SimNodeDeath | Promise<SimNodeDeath> => {
      // Stopped by the simulator, or a bootstrap that finished starting its background work: no death.
      if (stopping || (signal === null && code === 0 && !options.mainProcess)) return new Promise<SimNodeDeath>(() => {});
      const containerExited = signal === null;
      // The container's main process ended: the rest of its process group goes with it.
      if (containerExited && child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
      // The simulator never stops a node that died, so its workspace goes now; unless what remains
      // of a node whose agent was killed from outside still runs (a machine outlives its agent).
      if (containerExited || child.pid === undefined || !signalProcessGroup(child.pid, 0)) removeNodeWorkspace(workspace);
      return { exitCode: code, signal, outputTail: tail.text(), containerExited };
    });
    return {
      pid: child.pid,
      died,
      stop: async () => {
        stopping = true;
        if (child.pid === undefined) {
          await exited;
          removeNodeWorkspace(workspace);
          return;
        }
        const pid = child.pid;
        if (child.exitCode === null && child.signalCode === null) {
          signalProcessGroup(pid, 'SIGTERM');
          const escalate = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), options.stopGraceMs ?? 3_000);
          await exited;
          clearTimeout(escalate);
        }
        // What the main process left behind in its group (a bootstrap's background agent) goes too,
        // and with the node gone, its disk.
        signalProcessGroup(pid, 'SIGKILL');
        removeNodeWorkspace(workspace);
      },
    };
  };
}

