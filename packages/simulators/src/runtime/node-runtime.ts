// The node runtime hook: when a simulated instance reaches running, start a local process for it with
// exactly what the real node would get from the create request; stop it when the instance stops or goes.
import { spawn, type ChildProcess } from 'node:child_process';

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

export interface SimNodeHandle {
  stop(): void | Promise<void>;
  /** The node process, when the runtime spawned one (fault tests kill it to simulate a crash). */
  pid?: number;
}

export type OnInstanceRunning = (launch: SimNodeLaunch) => SimNodeHandle | Promise<SimNodeHandle>;

/**
 * The env the node's processes see: the container env (Vast) plus the variables TensorDock's
 * cloud-init exports before the bootstrap (`export NAME='value'` lines of runcmd).
 */
export function nodeEnvOf(launch: SimNodeLaunch): Record<string, string> {
  const env: Record<string, string> = {};
  const runcmd = (launch.cloudInit as { runcmd?: unknown } | null)?.runcmd;
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

export interface SpawnRuntimeOptions {
  /** Default: run the bootstrap script with `sh -c`. */
  command?: (launch: SimNodeLaunch) => { command: string; args: string[] };
  /** Extra env for every process (e.g. where the agent binary lives). */
  env?: Record<string, string>;
  onOutput?: (launch: SimNodeLaunch, chunk: string) => void;
}

/** The default hook: spawns a local process per running instance, killed (whole group) on stop. */
export function createSpawnRuntime(options: SpawnRuntimeOptions = {}): OnInstanceRunning {
  return (launch) => {
    const { command, args } = options.command?.(launch) ?? { command: 'sh', args: ['-c', bootstrapScriptOf(launch)] };
    const child: ChildProcess = spawn(command, args, {
      env: { ...process.env, ...options.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (chunk: Buffer) => options.onOutput?.(launch, chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => options.onOutput?.(launch, chunk.toString('utf8')));
    child.on('error', () => undefined);
    return {
      pid: child.pid,
      stop: () => {
        if (child.exitCode !== null || child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      },
    };
  };
}
