// The attack on simulation mode, end to end: a consumer provisions a simulated node, takes its node
// token and starts a job that prints its env, lists the server's data directory and reads the master
// key. Simulated nodes are processes on the operator's machine; none of that may come back. The
// server is configured from process.env, as `npm start` is (main.ts), so a leak of the server's env
// would show. As root the nodes also run as `nobody`, so the data directory is out of reach; as
// anyone else only the env is ours to keep (see packages/simulators/src/runtime/SANDBOX.md).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Session, SessionCredentials } from '@gpu-shopper/domain';
import { defaultNodeUser } from '@gpu-shopper/simulators';
import { loadConfig } from '../src/config';
import type { Logger } from '../src/logger';
import { startServer, type RunningServer } from '../src/start';

const ADMIN_KEY = 'sandbox-admin-key-0123456789abcdef';
const CANARY = 'sandbox-canary-value-from-the-server-env';
const AS_ROOT = process.getuid?.() === 0;
/** What a node's own env may share with the server's: the basics every process has. */
const SHARED_BASICS = new Set(['PATH', 'HOME', 'LANG', 'PWD', 'OLDPWD', 'SHLVL', '_']);

interface JobStatus {
  jobId: string;
  cwd: string;
  state: 'running' | 'exited' | 'failed';
}

describe(AS_ROOT ? 'simulated nodes (server as root): own env, own workspace, run as nobody' : 'simulated nodes (server not root: env only; files stay readable by the same uid, see SANDBOX.md)', () => {
  let dir: string;
  let dataDir: string;
  let server: RunningServer | undefined;
  let consumerKey: string;
  const log: string[] = [];
  const workspaces: string[] = [];

  async function json<T>(path: string, key: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server!.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const parsed = (await response.json()) as T;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-sandbox-'));
    // Only the data directory's own mode may keep the node out: the directory above it is open, and
    // the data directory starts 0755, as an older install (or a hand-made one) left it.
    chmodSync(dir, 0o755);
    dataDir = join(dir, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // The server's secrets in its env, as an operator sets them; no provider keys: simulation mode.
    const env: Record<string, string | undefined> = {
      PORT: '0',
      HOST: '127.0.0.1',
      GPU_SHOPPER_DB: join(dataDir, 'gpu-shopper.db'),
      GPU_SHOPPER_ADMIN_KEY: ADMIN_KEY,
      GPU_SHOPPER_SANDBOX_CANARY: CANARY,
      GPU_SHOPPER_SIM_BOOT_DELAY_MS: '0',
      GPU_SHOPPER_TICK_SECONDS: '1',
      GPU_SHOPPER_SIM_NODES: 'agent',
      GPU_SHOPPER_SECRET_KEY: undefined,
      GPU_SHOPPER_SECRET_KEY_FILE: undefined,
      GPU_SHOPPER_DATABASE_URL: undefined,
      VASTAI_API_KEY: undefined,
      TENSORDOCK_API_TOKEN: undefined,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const logger: Logger = { info: () => {}, warn: (message) => log.push(message), error: (message) => log.push(message) };
    server = await startServer({ config: loadConfig(process.env), logger, simulatedAgentEnv: { AGENT_HEARTBEAT_INTERVAL_S: '1' } });
    expect(server.simulatedProviders.sort()).toEqual(['tensordock', 'vastai']);
    consumerKey = (await json<{ key: string }>('/api/v1/admin/keys', ADMIN_KEY, { consumer: 'attacker' })).key;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readyNode(provider: 'vastai' | 'tensordock'): Promise<SessionCredentials> {
    const created = await json<Session>('/api/v1/sessions', consumerKey, { gpu: '4090', hours: 1, provider, workload: 'training' });
    // Seconds on an idle machine; the margin is for a busy one (agents start through tsx when unbuilt).
    const deadline = Date.now() + 45_000;
    for (;;) {
      const session = await json<Session>(`/api/v1/sessions/${created.id}`, consumerKey);
      if (session.state === 'ready') break;
      if (session.state !== 'provisioning' || Date.now() > deadline) throw new Error(`session ${created.id} not ready: ${JSON.stringify(session)}; log: ${log.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`, consumerKey);
  }

  /** Runs argv as a job on the node with the consumer's node token; its status and whole output. */
  async function runJob(credentials: SessionCredentials, argv: string[]): Promise<{ job: JobStatus; output: string }> {
    const command = async <T>(body: Record<string, unknown>): Promise<T> => {
      const response = await fetch(`${credentials.nodeEndpoint}/node/v1/ml/command`, { method: 'POST', headers: { authorization: `Bearer ${credentials.nodeToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`ml/command ${String(body.command)}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const { job } = await command<{ job: JobStatus }>({ command: 'start', argv });
    const deadline = Date.now() + 15_000;
    let status = job;
    while (status.state === 'running') {
      if (Date.now() > deadline) throw new Error(`job ${job.jobId} still running`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await command<{ job: JobStatus }>({ command: 'status', jobId: job.jobId })).job;
    }
    const { lines } = await command<{ lines: { text: string }[] }>({ command: 'logs', jobId: job.jobId, tailLines: 5000 });
    return { job: status, output: lines.map((line) => line.text).join('\n') };
  }

  for (const provider of ['vastai', 'tensordock'] as const) {
    it(`a ${provider} node's job sees no admin key, no server env, no database and no master key`, { timeout: 90_000 }, async () => {
      const credentials = await readyNode(provider);
      const { job, output } = await runJob(credentials, ['sh', '-c', `echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"; echo "cwd=$(pwd)"; env; ls -la ${dataDir}; cat ${dataDir}/master-key; head -c 64 ${dataDir}/gpu-shopper.db`]);
      workspaces.push(job.cwd);
      const masterKey = readFileSync(join(dataDir, 'master-key'), 'utf8').trim();

      // The env: the node's own, never the server's.
      expect(output).not.toContain(ADMIN_KEY);
      expect(output).not.toContain(CANARY);
      expect(output).not.toMatch(/^GPU_SHOPPER_(ADMIN_KEY|DB|SANDBOX_CANARY|TICK_SECONDS)=/m);
      const lines = new Set(output.split('\n'));
      const leaked = Object.entries(process.env).filter(([name, value]) => !SHARED_BASICS.has(name) && value !== undefined && value !== '' && lines.has(`${name}=${value}`));
      expect(leaked.map(([name]) => name)).toEqual([]);
      expect(output).toMatch(/^GPU_SHOPPER_SESSION_ID=ses_/m); // it did print an env: the node's
      // Its own workspace: its cwd and HOME, not the server's directory.
      expect(output).toContain(`cwd=${job.cwd}`);
      expect(output).toMatch(new RegExp(`^HOME=${job.cwd}`, 'm'));
      expect(job.cwd).not.toBe(process.cwd());

      if (AS_ROOT) {
        // Files: the node runs as nobody, and the data directory is the server's alone.
        const nobody = defaultNodeUser()!;
        expect(output).toContain(`uid=${nobody.uid} gid=${nobody.gid} groups=${nobody.gid}\n`);
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
        expect(output).not.toContain(masterKey);
        expect(output).not.toMatch(/^[-dl][rwxsStT-]{9}.*(gpu-shopper\.db|master-key|deployment-id)/m); // no listing
        expect(output).not.toContain('SQLite format 3');
        expect(output).toMatch(/ls: cannot open directory .*: Permission denied/);
        expect(statSync(job.cwd)).toMatchObject({ uid: nobody.uid, gid: nobody.gid });
        expect(statSync(job.cwd).mode & 0o777).toBe(0o700);
      }
    });
  }

  it('removes each node workspace once the server (and with it every node) has stopped', { timeout: 30_000 }, async () => {
    expect(workspaces).toHaveLength(2);
    for (const workspace of workspaces) expect(existsSync(workspace)).toBe(true);
    await server!.close();
    server = undefined;
    for (const workspace of workspaces) expect(existsSync(workspace)).toBe(false);
  });
});
