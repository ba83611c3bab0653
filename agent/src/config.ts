// Agent configuration: one typed object, parsed from environment variables with zod so a bad
// variable stops the agent with a message naming it (see agent/README.md for every variable).
import { z } from 'zod';

export const WORKLOADS = ['llm', 'training', 'batch'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface IdlePolicy {
  /** Quiet time after which the node counts as idle. */
  idleAfterMs: number;
  /** GPU utilization at or above this (any GPU) counts as activity. */
  gpuActivePercent: number;
}

export interface AgentConfig {
  port: number;
  host: string;
  workspaceRoot: string;
  nodeToken: string;
  sessionId: string;
  shopperUrl: string | null;
  workload: Workload;
  reservationEndsAt: Date | null;
  maxUploadBytes: number;
  llm: {
    model: string | null;
    /** Shell command of the managed engine; null means the engine is run by someone else (or absent). */
    command: string | null;
    upstreamUrl: string;
    readinessPollIntervalMs: number;
    /** Restarts of a managed engine that exits, before it is given up and reported as failed. */
    maxRestarts: number;
    /** Wait before the first restart, doubled for each further one. */
    restartBackoffMs: number;
    /** The agent reports the engine as failed when it is not ready this long after start; null: only the shopper's deadline applies. */
    readyTimeoutMs: number | null;
  };
  heartbeat: { intervalMs: number; maxBackoffMs: number; timeoutMs: number };
  idle: Record<Workload, IdlePolicy>;
  deadMan: { unreachableAfterMs: number; graceAfterReservationEndMs: number };
  shutdown: { jobGraceMs: number };
  gpuSampleIntervalMs: number;
  powerOffCommand: string;
  vast: { containerId: string; containerApiKey: string; apiUrl: string } | null;
}

export const DEFAULT_LLM_COMMAND =
  'python3 -m vllm.entrypoints.openai.api_server --model {model} --host 127.0.0.1 --port {port}';

const minutes = (n: number) => n * 60_000;
const seconds = (n: number) => n * 1000;

const positiveNumber = z.coerce.number().positive();
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const envSchema = z.object({
  GPU_SHOPPER_URL: optionalText.pipe(z.url().optional()),
  GPU_SHOPPER_SESSION_ID: z.string().min(1, 'is required'),
  GPU_SHOPPER_NODE_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  GPU_SHOPPER_RESERVATION_END: optionalText.pipe(z.iso.datetime({ offset: true }).optional()),
  GPU_SHOPPER_WORKLOAD: z.enum(WORKLOADS).default('batch'),
  GPU_SHOPPER_LLM_MODEL: optionalText,
  AGENT_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  AGENT_HOST: z.string().min(1).default('0.0.0.0'),
  AGENT_WORKSPACE: z.string().startsWith('/', 'must be an absolute path').default('/workspace'),
  AGENT_LLM_COMMAND: z.string().optional(),
  AGENT_LLM_UPSTREAM_URL: z.url().default('http://127.0.0.1:8000'),
  AGENT_LLM_MAX_RESTARTS: z.coerce.number().int().min(0).max(100).default(3),
  AGENT_LLM_READY_TIMEOUT_MIN: optionalText.pipe(z.coerce.number<string>().positive().optional()),
  AGENT_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(50 * 1024 ** 3),
  AGENT_HEARTBEAT_INTERVAL_S: positiveNumber.default(15),
  AGENT_HEARTBEAT_MAX_BACKOFF_S: positiveNumber.default(300),
  AGENT_IDLE_LLM_MIN: positiveNumber.default(30),
  AGENT_IDLE_TRAINING_MIN: positiveNumber.default(20),
  AGENT_IDLE_BATCH_MIN: positiveNumber.default(10),
  AGENT_IDLE_GPU_PERCENT: z.coerce.number().min(0).max(100).default(5),
  AGENT_DEADMAN_UNREACHABLE_MIN: positiveNumber.default(30),
  AGENT_DEADMAN_GRACE_MIN: z.coerce.number().min(0).default(15),
  AGENT_SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(30),
  AGENT_GPU_SAMPLE_INTERVAL_S: positiveNumber.default(15),
  AGENT_POWEROFF_COMMAND: z.string().min(1).default('poweroff'),
  CONTAINER_ID: optionalText,
  CONTAINER_API_KEY: optionalText,
  VASTAI_API_URL: optionalText.pipe(z.url().optional()),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid agent configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every bad variable by name. */
export function configFromEnv(env: Record<string, string | undefined>): AgentConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (e.GPU_SHOPPER_WORKLOAD === 'llm' && !e.GPU_SHOPPER_LLM_MODEL && e.AGENT_LLM_COMMAND === undefined) {
    throw new ConfigError(['GPU_SHOPPER_LLM_MODEL: is required for workload llm with the default engine command']);
  }
  const llmCommand =
    e.GPU_SHOPPER_WORKLOAD !== 'llm' ? null : e.AGENT_LLM_COMMAND === undefined ? DEFAULT_LLM_COMMAND : e.AGENT_LLM_COMMAND.trim() || null;
  const gpuActivePercent = e.AGENT_IDLE_GPU_PERCENT;
  return {
    port: e.AGENT_PORT,
    host: e.AGENT_HOST,
    workspaceRoot: e.AGENT_WORKSPACE,
    nodeToken: e.GPU_SHOPPER_NODE_TOKEN,
    sessionId: e.GPU_SHOPPER_SESSION_ID,
    shopperUrl: e.GPU_SHOPPER_URL ?? null,
    workload: e.GPU_SHOPPER_WORKLOAD,
    reservationEndsAt: e.GPU_SHOPPER_RESERVATION_END ? new Date(e.GPU_SHOPPER_RESERVATION_END) : null,
    maxUploadBytes: e.AGENT_MAX_UPLOAD_BYTES,
    llm: {
      model: e.GPU_SHOPPER_LLM_MODEL ?? null,
      command: llmCommand,
      upstreamUrl: e.AGENT_LLM_UPSTREAM_URL.replace(/\/+$/, ''),
      readinessPollIntervalMs: 2000,
      maxRestarts: e.AGENT_LLM_MAX_RESTARTS,
      // Short: an engine that crashes at once is given up within a minute (5 + 10 + 20 s by default),
      // long enough for a port or GPU memory held by the previous run to be let go.
      restartBackoffMs: 5000,
      readyTimeoutMs: e.AGENT_LLM_READY_TIMEOUT_MIN === undefined ? null : minutes(e.AGENT_LLM_READY_TIMEOUT_MIN),
    },
    heartbeat: {
      intervalMs: seconds(e.AGENT_HEARTBEAT_INTERVAL_S),
      maxBackoffMs: seconds(e.AGENT_HEARTBEAT_MAX_BACKOFF_S),
      timeoutMs: 10_000,
    },
    idle: {
      llm: { idleAfterMs: minutes(e.AGENT_IDLE_LLM_MIN), gpuActivePercent },
      training: { idleAfterMs: minutes(e.AGENT_IDLE_TRAINING_MIN), gpuActivePercent },
      batch: { idleAfterMs: minutes(e.AGENT_IDLE_BATCH_MIN), gpuActivePercent },
    },
    deadMan: {
      unreachableAfterMs: minutes(e.AGENT_DEADMAN_UNREACHABLE_MIN),
      graceAfterReservationEndMs: minutes(e.AGENT_DEADMAN_GRACE_MIN),
    },
    shutdown: { jobGraceMs: seconds(e.AGENT_SHUTDOWN_GRACE_S) },
    gpuSampleIntervalMs: seconds(e.AGENT_GPU_SAMPLE_INTERVAL_S),
    powerOffCommand: e.AGENT_POWEROFF_COMMAND,
    vast:
      e.CONTAINER_ID && e.CONTAINER_API_KEY
        ? { containerId: e.CONTAINER_ID, containerApiKey: e.CONTAINER_API_KEY, apiUrl: (e.VASTAI_API_URL ?? 'https://console.vast.ai').replace(/\/+$/, '') }
        : null,
  };
}

/** Environment variables a job must never inherit from the agent: they are the node's credentials. */
export const SECRET_ENV_NAMES = ['GPU_SHOPPER_NODE_TOKEN', 'CONTAINER_API_KEY'] as const;
