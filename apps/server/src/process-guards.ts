// The process's error boundary and its shutdown signals, for `npm start` (main.ts). Kept apart
// from main.ts so tests drive them with a stand-in process instead of the real one.
//
// - unhandledRejection: logged, and the server keeps serving. A stray rejected promise (a
//   fire-and-forget refresh, a library's dangling promise) has failed on its own; nothing shared is
//   half-changed by it, and every state change commits in a database transaction, so dropping the
//   whole process (Node's default) would only turn one failed call into an outage.
// - uncaughtException: logged, then the process exits with 1 at once. A synchronous throw that
//   unwound to the event loop may have left in-memory state (locks, in-flight maps, caches) half
//   updated, and we cannot know which; the database is crash-safe and the next start runs crash
//   recovery, so exiting (and being restarted by the supervisor) is the safe choice. No graceful
//   shutdown is tried: it would run on that possibly corrupt state.
// - SIGTERM / SIGINT: a graceful shutdown (`close()`, bounded by GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS);
//   a second signal exits at once.
import type { Logger } from './logger';

/** The slice of `process` used here (an EventEmitter stands in for it in tests). */
export type ProcessLike = Pick<NodeJS.EventEmitter, 'on' | 'off'>;

export type Exit = (code: number) => void;

/** What a thrown or rejected value may show in the log: an Error's stack (the logger redacts keys in it), a string, or only its type. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'string') return value;
  // Objects are not printed: a rejected config or request object could carry credentials.
  return `a non-Error ${value === null ? 'null' : typeof value}`;
}

export function unhandledRejectionHandler(logger: Logger): (reason: unknown) => void {
  return (reason) => {
    try {
      logger.error(`unhandled promise rejection (the server keeps serving): ${describeThrown(reason)}`);
    } catch {
      // A broken log stream must not turn a logged rejection into an uncaught exception.
    }
  };
}

export function uncaughtExceptionHandler(logger: Logger, exit: Exit): (error: unknown, origin?: string) => void {
  return (error) => {
    try {
      logger.error(`uncaught exception; exiting because the process state may be corrupt (crash recovery runs at the next start): ${describeThrown(error)}`);
    } finally {
      exit(1);
    }
  };
}

/** Installs both error handlers; returns a function that removes them. */
export function installErrorBoundary(logger: Logger, proc: ProcessLike = process, exit: Exit = (code) => process.exit(code)): () => void {
  const onRejection = unhandledRejectionHandler(logger);
  const onException = uncaughtExceptionHandler(logger, exit);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * The first SIGTERM or SIGINT starts `close()` and exits 0 when it finishes cleanly, 1 when it
 * could not (its error is logged); a second one exits at once with 128 + the signal's number, as a
 * shell reports a process killed by it.
 */
export function installShutdownSignals(close: () => Promise<void>, logger: Logger, proc: ProcessLike = process, exit: Exit = (code) => process.exit(code)): () => void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn(`${signal} again: exiting at once without finishing the shutdown`);
      exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      return;
    }
    shuttingDown = true;
    logger.info(`${signal}: shutting down gracefully (send ${signal} again to exit at once)`);
    close().then(
      () => {
        logger.info('shutdown complete');
        exit(0);
      },
      (error: unknown) => {
        logger.error(`shutdown incomplete: ${error instanceof Error ? error.message : describeThrown(error)}`);
        exit(1);
      },
    );
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  for (const signal of signals) proc.on(signal, onSignal);
  return () => {
    for (const signal of signals) proc.off(signal, onSignal);
  };
}
