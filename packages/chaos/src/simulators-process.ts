// The provider simulators as their own process (`packages/simulators/src/cli.ts`): started once per
// run, never killed by the chaos (they are the providers), stopped with SIGTERM so they end the node
// processes their instances booted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SupervisedProcess, Supervisor } from './supervisor';

export const SIMULATOR_CLI = 'packages/simulators/src/cli.ts';
const READY_LINE = 'SIMULATORS READY';

export interface SimulatorEndpoints {
  vastai: { url: string; apiKey: string };
  tensordock: { url: string; apiToken: string };
}

export interface SimulatorsProcess {
  endpoints: SimulatorEndpoints;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

/** The server's own lifecycle tick when nobody sets one: the pace TensorDock's rate limit is written for. */
const SERVER_DEFAULT_TICK_SECONDS = 15;
const TENSORDOCK_REQUESTS_PER_MINUTE = 100;

/**
 * TensorDock's limit for a run whose server ticks every `tickSeconds`: the run compresses time (its
 * server looks at the providers every second, is killed every few seconds and starts with a fresh
 * request budget each time), so the provider's per-minute window is compressed by as much. Bursts of
 * 429s are a fault of their own (rate-limit), injected on purpose.
 */
export function tensordockRateLimitFor(tickSeconds: number): number {
  return Math.round((TENSORDOCK_REQUESTS_PER_MINUTE * SERVER_DEFAULT_TICK_SECONDS) / Math.min(tickSeconds, SERVER_DEFAULT_TICK_SECONDS));
}

export async function startSimulatorsProcess(supervisor: Supervisor, options: { workDir: string; bootDelayMs: number; seed: number; tickSeconds: number; timeoutMs?: number }): Promise<SimulatorsProcess> {
  // The simulated nodes' workspaces are temp dirs the simulators never remove: under the run's own
  // dir, they go with it.
  const nodeTmpDir = join(options.workDir, 'tmp');
  mkdirSync(nodeTmpDir, { recursive: true });
  const child = supervisor.spawnTsx({
    name: 'simulators',
    script: SIMULATOR_CLI,
    env: { TMPDIR: nodeTmpDir },
    // Every setting explicit: SIM_* variables in the caller's environment must not change the run.
    args: ['--state-dir', join(options.workDir, 'simulators'), '--boot-delay-ms', String(options.bootDelayMs), '--seed', String(options.seed), '--vast-port', '0', '--tensordock-port', '0', '--nodes', 'agent', '--tensordock-rate-limit', String(tensordockRateLimitFor(options.tickSeconds))],
    logFile: join(options.workDir, 'simulators.log'),
  });
  try {
    await child.waitForLine((line) => line.trim() === READY_LINE, options.timeoutMs ?? 60_000);
    return { endpoints: parseAnnouncement(child.stdoutLines()), process: child, stop: async () => void (await child.stop(15_000)) };
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
}

/** The `NAME=value` lines the simulator CLI prints before it is ready. */
export function parseAnnouncement(lines: readonly string[]): SimulatorEndpoints {
  const vars = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Z_]+)=(\S+)\s*$/.exec(line.trim());
    if (match) vars.set(match[1]!, match[2]!);
  }
  const need = (name: string) => {
    const value = vars.get(name);
    if (value === undefined) throw new Error(`the simulators did not announce ${name} (they printed: ${lines.join(' | ')})`);
    return value;
  };
  return {
    vastai: { url: need('VASTAI_API_URL'), apiKey: need('VASTAI_API_KEY') },
    tensordock: { url: need('TENSORDOCK_API_URL'), apiToken: need('TENSORDOCK_API_TOKEN') },
  };
}
