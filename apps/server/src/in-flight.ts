// Background work that uses the database (a lifecycle tick, accounting, webhook deliveries), counted
// so shutdown can refuse new runs and wait for the running ones before it closes the database.
export class ShuttingDownError extends Error {
  constructor(what: string) {
    super(`${what} was not started: the server is shutting down`);
    this.name = 'ShuttingDownError';
  }
}

export class InFlightWork {
  private readonly running = new Map<symbol, string>();
  private readonly waiters = new Set<() => void>();
  private refusing = false;

  /** Names of the runs in progress (one entry per run). */
  get names(): string[] {
    return [...this.running.values()];
  }

  /** Runs `work` and counts it until it settles; refused (ShuttingDownError) once `refuseNew()` was called. */
  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.refusing) return Promise.reject(new ShuttingDownError(name));
    const token = Symbol(name);
    this.running.set(token, name);
    // Through a promise chain so a synchronous throw becomes a rejection for the caller to handle.
    const done = Promise.resolve().then(work);
    const forget = () => {
      this.running.delete(token);
      if (this.running.size === 0) for (const wake of [...this.waiters]) wake();
    };
    done.then(forget, forget);
    return done;
  }

  refuseNew(): void {
    this.refusing = true;
  }

  /** Resolves once nothing runs, or after `timeoutMs`: with the names still running then (empty when idle). */
  idle(timeoutMs: number): Promise<string[]> {
    if (this.running.size === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        resolve(this.names);
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      this.waiters.add(finish);
    });
  }
}
