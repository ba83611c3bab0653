// `npm run sim` as a process: the lines it prints for a server, its flags, and a state directory that
// carries instances, keys, ports and running agent nodes across a SIGTERM and across a SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTsxLoader } from './runtime/agent-node-runtime';
import { signalProcessGroup } from './runtime/process-groups';
import { adminInstances, agentEnv, call, tempStateDir, waitFor } from './test-support/sim-http';

const CLI = join(import.meta.dirname, 'cli.ts');
const PRINTED = ['VASTAI_API_URL', 'VASTAI_API_KEY', 'TENSORDOCK_API_URL', 'TENSORDOCK_API_TOKEN'] as const;

interface RunningCli {
  process: ChildProcess;
  vars: Record<(typeof PRINTED)[number], string>;
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

const children: ChildProcess[] = [];
const nodeGroups: number[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pgid of nodeGroups.splice(0)) signalProcessGroup(pgid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', resolveTsxLoader()!, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SIM_STATE_DIR: '' } });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function startCli(args: string[]): Promise<RunningCli> {
  const { child, exited, output } = runCli(args);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  await Promise.race([
    waitFor(() => stdout.includes('SIMULATORS READY\n'), 'SIMULATORS READY', 40_000),
    exited.then((code) => {
      throw new Error(`npm run sim exited with ${code}: ${output()}`);
    }),
  ]);
  // Exactly these lines first, in this order; anything else comes after.
  const lines = stdout.split('\n').slice(0, 5);
  expect(lines.map((line) => line.split('=')[0])).toEqual([...PRINTED, 'SIMULATORS READY']);
  const vars = Object.fromEntries(lines.slice(0, 4).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])) as RunningCli['vars'];
  return {
    process: child,
    vars,
    output,
    stop: async (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

function stateDir(): string {
  const dir = tempStateDir();
  dirs.push(dir);
  return dir;
}

async function createVast(cli: RunningCli, env: Record<string, string> = {}): Promise<string> {
  const offers = (await call(cli.vars.VASTAI_API_URL, 'POST', '/api/v0/bundles/', null, { limit: 1 })).json.offers as { id: number }[];
  const created = await call(cli.vars.VASTAI_API_URL, 'PUT', `/api/v0/asks/${offers[0]!.id}/`, cli.vars.VASTAI_API_KEY, { image: 'ubuntu', disk: 10, label: 'from-cli-test', env: { ...env, '-p 8787:8787': '1' } });
  expect(created.json).toMatchObject({ success: true });
  return String(created.json.new_contract);
}

describe('npm run sim', () => {
  it('prints its help', async () => {
    const { exited, output } = runCli(['--help']);
    expect(await exited).toBe(0);
    expect(output()).toContain('Usage: npm run sim -- [options]');
    expect(output()).toContain('--state-dir <dir>');
  });

  it('rejects a bad flag value with a usage error', async () => {
    const { exited, output } = runCli(['--nodes', 'gpu']);
    expect(await exited).toBe(2);
    expect(output()).toContain('--nodes (SIM_NODES): "gpu" is not agent or none');
  });

  it('prints URLs and keys, exits 0 on SIGTERM, and comes back with the same keys, ports and instances', { timeout: 90_000 }, async () => {
    const dir = stateDir();
    const first = await startCli(['--state-dir', dir, '--nodes', 'none', '--boot-delay-ms', '0']);
    expect(first.vars.VASTAI_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(first.vars.VASTAI_API_URL, 'GET', '/api/v1/instances/', 'wrong-key')).status).toBe(401);
    expect((await call(first.vars.TENSORDOCK_API_URL, 'GET', '/api/v2/instances', first.vars.TENSORDOCK_API_TOKEN)).status).toBe(200);
    const id = await createVast(first);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startCli(['--state-dir', dir, '--nodes', 'none', '--boot-delay-ms', '0']);
    expect(second.vars).toEqual(first.vars);
    const listed = (await call(second.vars.VASTAI_API_URL, 'GET', '/api/v1/instances/', second.vars.VASTAI_API_KEY)).json.instances as { id: number; label: string; actual_status: string }[];
    expect(listed.map((row) => [String(row.id), row.label, row.actual_status])).toEqual([[id, 'from-cli-test', 'running']]);
    expect(Number(await createVast(second))).toBeGreaterThan(Number(id));
    expect(await second.stop('SIGINT')).toBe(0);
  });

  // Agents start through tsx when unbuilt: seconds on an idle machine, the margins are for a busy one.
  it('after a SIGKILL, kills the agent node its previous run left and relaunches it on the same port', { timeout: 120_000 }, async () => {
    const dir = stateDir();
    const args = ['--state-dir', dir, '--nodes', 'agent', '--boot-delay-ms', '0'];
    const first = await startCli(args);
    const id = await createVast(first, agentEnv());
    const oldPid = await waitFor(async () => (await adminInstances(first.vars.VASTAI_API_URL))[0]?.nodePid, 'the agent node');
    nodeGroups.push(oldPid);
    const agentPort = (await adminInstances(first.vars.VASTAI_API_URL))[0]!.ports[8787]!;
    const healthy = async () => fetch(`http://127.0.0.1:${agentPort}/node/v1/healthz`).then((response) => response.ok, () => false);
    await waitFor(healthy, () => `the agent to answer (output: ${first.output()})`, 40_000);
    expect(first.output()).toMatch(new RegExp(`\\[vastai:${id}\\] `)); // node output, prefixed, after the lines

    expect(await first.stop('SIGKILL')).toBeNull();
    expect(signalProcessGroup(oldPid, 0)).toBe(true); // the node outlived its simulator, as a machine would

    const second = await startCli(args);
    expect(second.vars).toEqual(first.vars);
    const newPid = await waitFor(async () => (await adminInstances(second.vars.VASTAI_API_URL))[0]?.nodePid, 'the relaunched agent');
    nodeGroups.push(newPid);
    expect(newPid).not.toBe(oldPid);
    await waitFor(() => !signalProcessGroup(oldPid, 0), 'the leftover agent to be killed');
    await waitFor(healthy, () => `the relaunched agent to answer (output: ${second.output()})`, 40_000);
    expect((await adminInstances(second.vars.VASTAI_API_URL))[0]).toMatchObject({ id, phase: 'running' });

    expect(await second.stop('SIGTERM')).toBe(0);
    expect(signalProcessGroup(newPid, 0)).toBe(false);
  });
});
