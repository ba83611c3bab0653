// A small logger for the server's own messages. Anything that could carry a secret is redacted.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const SECRET_PATTERNS = [/\bgs[acn]_[A-Za-z0-9_-]{20,}/g, /(Bearer\s+)\S+/gi, /(api_key=)[^&\s]+/gi];

export function redact(message: string): string {
  return SECRET_PATTERNS.reduce((text, pattern) => text.replace(pattern, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}[redacted]`), message);
}

export function consoleLogger(stream: { write(text: string): unknown } = process.stderr): Logger {
  const line = (level: string, message: string) => stream.write(`${new Date().toISOString()} ${level} ${redact(message)}\n`);
  return { info: (m) => line('info ', m), warn: (m) => line('warn ', m), error: (m) => line('error', m) };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
