// Runs a short command to completion and captures its output (nvidia-smi, the power-off command);
// injectable so tests replay recorded outputs instead of needing a GPU.
import { execFile } from 'node:child_process';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Resolves with the exit code (also non-zero); rejects only when the command cannot run (e.g. ENOENT). */
export type RunCommand = (command: string, args: string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;

export const runCommand: RunCommand = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: options.timeoutMs ?? 30_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(error);
        return;
      }
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ exitCode, stdout: String(stdout), stderr: String(stderr) });
    });
  });
