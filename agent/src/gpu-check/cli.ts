// `npm run gpu-check` as a function of its arguments, environment and output streams: detect the
// GPU (none: one line, exit 0), plan, run the checks, print the table (and JSON), exit 1 on a FAIL.
// Progress goes to stderr so stdout holds only the report.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentLaunch } from './agent-process';
import type { AgentLaunch } from './agent-process';
import { detectCapabilities } from './capabilities';
import { noGpuMessage } from './detect-gpu';
import { probeRunner } from './exec';
import { parseGpuCheckArgs, UsageError, USAGE } from './options';
import { planChecks } from './plan';
import { runPlannedChecks } from './run-checks';
import { buildReport, exitCodeFor, renderTable, reportJson } from './table';
import type { GpuCheckReport } from './table';
import type { Teardown } from './teardown';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  teardown: Teardown;
  /** Default: the bundle if built, else the source. */
  launch?: AgentLaunch;
  nvccFallbacks?: string[];
}

async function writeJson(file: string, report: GpuCheckReport): Promise<void> {
  await writeFile(path.resolve(file), reportJson(report));
}

export async function runGpuCheck(argv: string[], io: CliIo): Promise<number> {
  let options;
  try {
    options = parseGpuCheckArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`gpu-check: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const progress = (line: string) => io.stderr.write(`gpu-check: ${line}\n`);
  try {
    const run = probeRunner(io.teardown);
    const capabilities = await detectCapabilities({ run, env: io.env, skipLlm: options.skipLlm, nvccFallbacks: io.nvccFallbacks });
    if (!capabilities.gpu.found) {
      io.stdout.write(`${noGpuMessage(capabilities.gpu.reason)}\n`);
      if (options.jsonPath) await writeJson(options.jsonPath, buildReport({ gpuFound: false, noGpuReason: capabilities.gpu.reason, gpus: [], agent: null, checks: [] }));
      return 0;
    }
    const { gpus } = capabilities.gpu;
    const launch = io.launch ?? agentLaunch();
    io.stdout.write(`GPU check: ${gpus.map((gpu) => `GPU ${gpu.index} ${gpu.name}`).join(', ')}; agent from ${launch.source === 'bundle' ? 'dist/agent.js' : 'source (tsx)'}\n`);
    const workDir = await mkdtemp(path.join(tmpdir(), 'gpu-check-'));
    if (!options.keepWorkspace) io.teardown.removeDirectoryAtEnd(workDir);
    const plan = planChecks(capabilities, options);
    const checks = await runPlannedChecks(plan, gpus, {
      env: io.env,
      run,
      teardown: io.teardown,
      workDir,
      launch,
      loadSeconds: options.loadSeconds,
      progress,
      now: () => performance.now(),
      sleep: (ms) => sleep(ms),
    });
    const report = buildReport({ gpuFound: true, noGpuReason: null, gpus, agent: launch.source, checks });
    io.stdout.write(`\n${renderTable(checks)}`);
    if (options.jsonPath) await writeJson(options.jsonPath, report);
    if (options.keepWorkspace) io.stdout.write(`workspace kept: ${workDir}\n`);
    return exitCodeFor(report);
  } finally {
    await io.teardown.run();
  }
}
