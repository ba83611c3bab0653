// Who and what the work in progress is about (request id, consumer, session), carried across awaits
// by AsyncLocalStorage so every log line written meanwhile carries it without being handed it. The
// HTTP layer opens one per request, the lifecycle one per session step, provisioning one per session.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  reqId?: string;
  /** The authenticated caller: a consumer's name, or `operator:<key id>`. */
  consumer?: string;
  sessionId?: string;
  [field: string]: unknown;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with these fields added to the current context (a copy: the outer one is unchanged). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** Runs `work` in `context` itself (not a copy), so later `annotateLogContext` calls land in it. */
export function runInLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** Adds fields to the current context (learnt along the way: the caller once authenticated). No-op outside one. */
export function annotateLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store !== undefined) Object.assign(store, fields);
}

export function currentLogContext(): Readonly<LogContext> | undefined {
  return storage.getStore();
}
