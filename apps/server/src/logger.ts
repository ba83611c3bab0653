// The server's log: one pino instance (also Fastify's logger) writing JSON lines (`level`, `time`,
// `msg`, then fields), or a short human format on a terminal. Services get child loggers of it, and
// every line carries the request, consumer and session of the work in progress (the log context).
// Anything that could carry a secret is redacted, in structured fields and in the text alike.
import { pino, type Logger as PinoLogger } from 'pino';
import { currentLogContext, type LogFields } from '@gpu-shopper/services';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  /** null: pretty where the log goes to a terminal, JSON lines otherwise. */
  format: LogFormat | null;
}

export type { LogFields };

/** What the server's parts log through: a message and, optionally, structured fields. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  debug?(message: string, fields?: LogFields): void;
  /** A logger whose every line also carries `bindings` (e.g. the component). */
  child?(bindings: LogFields): Logger;
  /** The pino instance underneath, handed to Fastify; stand-ins have none. */
  readonly pino?: PinoLogger;
  /** Takes the configured level and format, unless they were fixed when this logger was made. */
  configure?(settings: LogSettings): void;
  /** Exact values never to be written, wherever they turn up (the configured keys). */
  redactValues?(values: readonly (string | null | undefined)[]): void;
}

export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Keys, tokens and secrets by their shape: our API keys and node tokens, webhook secrets, bearer headers, api_key parameters. */
const SECRET_PATTERNS = [/\bgs[acn]_[A-Za-z0-9_-]{20,}/g, /\bwhsec_[A-Za-z0-9_-]{16,}/g, /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, /(api_key=)[^&\s"\\]+/gi];

/** Structured fields that are secrets whatever their value looks like (pino `redact` paths). */
const SECRET_FIELDS = ['authorization', 'cookie', 'apiKey', 'apiToken', 'api_key', 'token', 'nodeToken', 'secret', 'secretKey', 'webhookSecret', 'password', 'privateKey'];
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
];

export function redact(message: string): string {
  return SECRET_PATTERNS.reduce((text, pattern) => text.replace(pattern, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}[redacted]`), message);
}

/** Shorter values are left alone: replacing every "abc" in the log would hide more than it protects. */
const MIN_REDACTED_VALUE_LENGTH = 8;

/**
 * The server's logger on `stream` (stderr by default: stdout carries the start-up banner that
 * scripts read). Without `settings` it starts at info, in the format that suits the stream, and
 * `configure` later applies the configuration; with them, they are fixed.
 */
export function consoleLogger(stream: LogStream = process.stderr, settings?: LogSettings): Logger {
  const state = { format: formatFor(settings?.format ?? null, stream), fixed: settings !== undefined, secrets: [] as string[] };
  const destination = { write: (line: string) => stream.write(state.format === 'pretty' ? prettyLine(line) : line) };
  const root = pino(
    {
      level: settings?.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The work in progress (request id, consumer, session); the call's own fields win over it.
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      hooks: { streamWrite: (line) => redactLine(line, state.secrets) },
    },
    destination,
  );
  const control = {
    configure: (configured: LogSettings) => {
      if (state.fixed) return;
      root.level = configured.level;
      state.format = formatFor(configured.format, stream);
    },
    redactValues: (values: readonly (string | null | undefined)[]) => {
      for (const value of values) if (typeof value === 'string' && value.length >= MIN_REDACTED_VALUE_LENGTH && !state.secrets.includes(value)) state.secrets.push(value);
      // Longest first, so a key that contains another is replaced whole.
      state.secrets.sort((a, b) => b.length - a.length);
    },
  };
  return wrap(root, control);
}

function wrap(instance: PinoLogger, control: Pick<Logger, 'configure' | 'redactValues'>): Logger {
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (fields === undefined) instance[level](message);
    else instance[level](fields, message);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(instance.child(bindings), control),
    pino: instance,
    ...control,
  };
}

function formatFor(format: LogFormat | null, stream: LogStream): LogFormat {
  return format ?? (stream.isTTY === true ? 'pretty' : 'json');
}

function redactLine(line: string, secrets: readonly string[]): string {
  let text = redact(line);
  for (const secret of secrets) {
    // As it appears in a JSON string, too (quotes and backslashes escaped).
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) text = text.split(form).join('[redacted]');
  }
  return text;
}

/** One JSON line as `time level msg  key=value ...`, for a person at a terminal. */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, ...fields } = record;
  const extra = Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${String(time)} ${String(level).padEnd(5)} ${typeof msg === 'string' ? msg : ''}${extra === '' ? '' : `  ${extra}`}\n`;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A child of `logger` for one part of the server (its lines say `component`), or `logger` itself for stand-ins. */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child?.({ component }) ?? logger;
}
