// Starts `server-process.ts` as a child process (through tsx) and reads back its URL; the test can
// then SIGKILL it mid-request and start it again on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Everything it wrote to stderr (read it when a test fails). */
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const SCRIPT = join(import.meta.dirname, 'server-process.ts');
const TSX_LOADER = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

export function startChildServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server process exited with ${code}: ${stderr}`));
    };
    child.once('exit', onEarlyExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        process: child,
        stderr: () => stderr,
        kill: async (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}
