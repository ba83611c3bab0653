// Everything the check must undo however it ends (normally, on a failure, on Ctrl-C): child
// processes (the agents, the GPU load, probes) and the temporary workspace.
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

interface TrackedChild {
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after this long; an agent needs a moment to stop its LLM engine. */
  graceMs: number;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, wait up to the grace, then SIGKILL; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  if (graceMs > 0) {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  } else {
    await gone;
  }
}

export class Teardown {
  private readonly children = new Set<TrackedChild>();
  private readonly directories: string[] = [];
  private running: Promise<void> | null = null;

  trackChild(child: ChildProcess, graceMs: number): ChildProcess {
    const tracked = { child, graceMs };
    this.children.add(tracked);
    child.once('exit', () => this.children.delete(tracked));
    // A child that never started (ENOENT) emits 'error' and no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) this.children.delete(tracked);
    });
    return child;
  }

  removeDirectoryAtEnd(directory: string): void {
    this.directories.push(directory);
  }

  get liveChildren(): number {
    return this.children.size;
  }

  /** Stops every child still running, then removes the directories. Idempotent. */
  run(): Promise<void> {
    this.running ??= (async () => {
      await Promise.all([...this.children].map(({ child, graceMs }) => stopChild(child, graceMs)));
      for (const directory of this.directories.splice(0)) await rm(directory, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.running;
  }

  /** For process.on('exit'), where nothing asynchronous runs: signal every child and hope. */
  signalAllNow(): void {
    for (const { child } of this.children) if (!exited(child)) child.kill('SIGTERM');
  }
}
