// Drives the real `gpu-shopper` CLI (apps/cli, through tsx) as a consumer would: provision with an
// idempotency key and --json, and done. Its config dir is the run's temp dir, never the user's.
import { spawn } from 'node:child_process';
import type { Session } from '@gpu-shopper/domain';
import type { CreateSessionBody } from './shopper-api';
import { REPO_ROOT, TSX_LOADER } from './supervisor';

export const CLI_MAIN = 'apps/cli/src/main.ts';

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export class CliClient {
  constructor(
    /** A server URL, or where the next run goes (round-robin over replicas). */
    private readonly serverUrl: string | (() => string),
    private readonly configDir: string,
    private readonly timeoutMs = 90_000,
  ) {}

  run(args: string[], apiKey: string): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, GPU_SHOPPER_URL: typeof this.serverUrl === 'string' ? this.serverUrl : this.serverUrl(), GPU_SHOPPER_API_KEY: apiKey, XDG_CONFIG_HOME: this.configDir, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ exitCode: null, stdout, stderr: `${stderr}${error.message}` });
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, stdout, stderr });
      });
    });
  }

  /** `gpu-shopper provision ... --idempotency-key=K --json`; the session, or the CLI's failure. */
  async provision(apiKey: string, body: CreateSessionBody, idempotencyKey: string): Promise<{ session: Session } | { failure: CliRun }> {
    const args = ['provision', `--gpu=${body.gpu}`, `--hours=${body.hours}`, `--provider=${body.provider}`, `--workload=${body.workload}`, `--idempotency-key=${idempotencyKey}`, '--json'];
    if (body.llmModel !== undefined) args.push(`--llm-model=${body.llmModel}`);
    const result = await this.run(args, apiKey);
    if (result.exitCode !== 0) return { failure: result };
    try {
      return { session: JSON.parse(result.stdout) as Session };
    } catch {
      return { failure: { ...result, stderr: `unparseable --json output: ${result.stdout.slice(0, 200)}` } };
    }
  }

  async done(apiKey: string, sessionId: string): Promise<CliRun> {
    return this.run(['done', sessionId, '--json'], apiKey);
  }
}

/** Exit 2 is the user's mistake (bad flags): repeating it cannot help. */
export function isUsageFailure(run: CliRun): boolean {
  return run.exitCode === 2;
}
