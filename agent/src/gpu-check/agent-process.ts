// Starts the node agent as a real child process, as it runs on a node: the built bundle
// (dist/agent.js) when there is one, else the TypeScript source through tsx. It listens on a port
// the OS picks (AGENT_PORT=0; the URL is read from its "agent listening" log line) and never talks
// to a shopper: the environment of a rented node (its session, token, shopper URL, Vast.ai key) is
// stripped, so this agent cannot heartbeat for that session nor destroy the instance.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from './teardown';
import type { Teardown } from './teardown';

export interface AgentLaunch {
  command: string;
  args: string[];
  cwd: string;
  source: 'bundle' | 'source';
}

export const AGENT_DIR = path.resolve(import.meta.dirname, '../..');

export function agentLaunch(agentDir: string = AGENT_DIR, exists: (file: string) => boolean = existsSync): AgentLaunch {
  const bundle = path.join(agentDir, 'dist/agent.js');
  if (exists(bundle)) return { command: process.execPath, args: [bundle], cwd: agentDir, source: 'bundle' };
  // As the agent's own tests start a process from source: tsx resolved from the agent's directory.
  return { command: process.execPath, args: ['--import', 'tsx', path.join(agentDir, 'src/main.ts')], cwd: agentDir, source: 'source' };
}

/** Variables of a node's real agent that must not leak into the check's agent. */
const STRIPPED = /^(GPU_SHOPPER_|AGENT_|CONTAINER_|VASTAI_)/;

export interface AgentSettings {
  token: string;
  workspace: string;
  /** Further AGENT_* / GPU_SHOPPER_* settings of this run (workload, idle thresholds, LLM engine). */
  extra: Record<string, string>;
}

export function agentEnv(base: NodeJS.ProcessEnv, settings: AgentSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined && !STRIPPED.test(name)) env[name] = value;
  return {
    ...env,
    GPU_SHOPPER_SESSION_ID: 'gpu-check',
    GPU_SHOPPER_NODE_TOKEN: settings.token,
    AGENT_HOST: '127.0.0.1',
    AGENT_PORT: '0',
    AGENT_WORKSPACE: settings.workspace,
    AGENT_SHUTDOWN_GRACE_S: '10',
    // Belt and braces: with no reservation end the dead-man switch never fires anyway.
    AGENT_POWEROFF_COMMAND: 'true',
    ...settings.extra,
  };
}

/** The agent's URL from its JSON log line `{"message":"agent listening","url":...}`; null for any other line. */
export function listeningUrl(logLine: string): string | null {
  try {
    const entry = JSON.parse(logLine) as { message?: unknown; url?: unknown };
    return entry.message === 'agent listening' && typeof entry.url === 'string' ? entry.url : null;
  } catch {
    return null;
  }
}

export interface AgentProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code once the agent has exited (for whatever reason). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 20_000;

/** Spawns the agent, appends its output to logFile, and resolves once it listens. */
export async function startAgentProcess(options: {
  launch: AgentLaunch;
  env: Record<string, string>;
  logFile: string;
  teardown: Teardown;
  startTimeoutMs: number;
}): Promise<AgentProcess> {
  const { launch } = options;
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.teardown.trackChild(child, STOP_GRACE_MS);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr.pipe(log, { end: false });
  const recentErrors: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    recentErrors.push(...text.split('\n').filter((line) => line.trim() !== ''));
    recentErrors.splice(0, Math.max(0, recentErrors.length - 5));
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      log.end();
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not listen within ${options.startTimeoutMs / 1000} s (log: ${options.logFile})`)), options.startTimeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      const found = listeningUrl(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`agent could not start: ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with code ${code} before listening${recentErrors.length > 0 ? `: ${recentErrors.join(' | ')}` : ''} (log: ${options.logFile})`));
    });
  });
  return { url, child, exited, stop: () => stopChild(child, STOP_GRACE_MS) };
}
