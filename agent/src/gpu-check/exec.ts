// Runs the short probe commands of the check (nvidia-smi, nvcc, python3 -c ...) with a given
// environment, so tests can hand in a PATH holding a fake nvidia-smi. "Not installed" (ENOENT) is a
// result, not an exception: most of the checks turn it into a reason to skip.
import { execFile } from 'node:child_process';
import type { Teardown } from './teardown';

export type ProbeResult =
  | { outcome: 'exited'; exitCode: number; stdout: string; stderr: string }
  | { outcome: 'not-found' }
  | { outcome: 'timed-out'; timeoutMs: number }
  | { outcome: 'failed'; message: string };

export interface ProbeOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  cwd?: string;
}

export type ProbeRunner = (command: string, args: string[], options: ProbeOptions) => Promise<ProbeResult>;

/** A runner whose children are killed with the rest if the check is interrupted. */
export function probeRunner(teardown?: Teardown): ProbeRunner {
  return (command, args, options) =>
    new Promise((resolve) => {
      const child = execFile(
        command,
        args,
        { env: options.env, cwd: options.cwd, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve({ outcome: 'exited', exitCode: 0, stdout, stderr });
          const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
          if (code === 'ENOENT') return resolve({ outcome: 'not-found' });
          if ((error as { killed?: boolean }).killed) return resolve({ outcome: 'timed-out', timeoutMs: options.timeoutMs });
          if (typeof code === 'number') return resolve({ outcome: 'exited', exitCode: code, stdout, stderr });
          resolve({ outcome: 'failed', message: error.message });
        },
      );
      teardown?.trackChild(child, 0);
    });
}

/** The last non-empty line of a command's output: where Python and CUDA put the actual error. */
export function lastLine(text: string, maxChars = 240): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const line = lines.at(-1) ?? '';
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

/** One phrase for why a probe did not succeed, for a skip reason or a failure detail. */
export function describeProbeFailure(command: string, result: ProbeResult): string {
  switch (result.outcome) {
    case 'not-found':
      return `${command} not found on PATH`;
    case 'timed-out':
      return `${command} did not answer within ${Math.round(result.timeoutMs / 1000)} s`;
    case 'failed':
      return `${command} could not run: ${result.message}`;
    case 'exited': {
      const output = lastLine(result.stderr) || lastLine(result.stdout);
      return `${command} exited with code ${result.exitCode}${output ? `: ${output}` : ''}`;
    }
  }
}
