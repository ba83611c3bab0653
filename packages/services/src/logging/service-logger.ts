// The logger the services are given: a message plus structured fields (session, provider, instance),
// message first so a plain `{ warn: (message) => ... }` stand-in still fits. The server passes child
// loggers of its one pino instance; levels the caller does not have fall back as `log` says.

export type LogFields = Record<string, unknown>;

export interface ServiceLogger {
  warn(message: string, fields?: LogFields): void;
  info?(message: string, fields?: LogFields): void;
  debug?(message: string, fields?: LogFields): void;
  error?(message: string, fields?: LogFields): void;
}

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/**
 * Writes at `level` where the logger has it. A missing `error` is written as a warning (it must not
 * be lost); a missing `info` or `debug` is dropped (the stand-in only wanted warnings).
 */
export function log(logger: ServiceLogger | undefined, level: LogLevelName, message: string, fields?: LogFields): void {
  if (logger === undefined) return;
  if (level === 'warn') return logger.warn(message, fields);
  if (level === 'error') return (logger.error ?? logger.warn).call(logger, message, fields);
  logger[level]?.(message, fields);
}

/** An error's message, for a log field. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
