// What the start-up benchmarks share: the repository's built apps, wall times of whole processes
// taken in interleaved rounds against `node -e 0` (the floor any Node program pays), their medians,
// and the machine's load, so a figure from a busy machine reads as one.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Builds a workspace (`npm run build -w <name>`), so that the benchmark runs what the source says now. */
export function buildWorkspace(name: string): void {
  const build = spawnSync('npm', ['run', 'build', '-w', name], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building ${name} failed: ${build.stderr || build.stdout}`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The environment every measured process gets, baseline included: this one's could hold settings
 * that change a start by themselves (NODE_OPTIONS, NODE_EXTRA_CA_CERTS: a certificate file to load).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Wall milliseconds of one `node <args>` run to its exit; throws on a failed exit unless it is expected. */
export function timeNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; expectExit?: number } = {}): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env: options.env ?? cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== (options.expectExit ?? 0)) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** The bare Node start (`node -e 0`) every figure is compared with. */
export const timeBareNode = (): number => timeNode(['-e', '0']);

/** "1.23 / 1.10 / 0.90 (2 CPUs)": the 1, 5 and 15 minute load averages, and the CPUs they share. */
export function machineLoad(): string {
  return `${loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ')} (${cpus().length} CPUs)`;
}

export const verdict = (passed: boolean): string => (passed ? 'PASS' : 'FAIL');
