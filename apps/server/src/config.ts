// Server configuration from the environment, validated once at start-up with clear messages.
import { z } from 'zod';
import { resolveDbPath } from '@gpu-shopper/db';
import { hostname } from 'node:os';
import { DEFAULT_RATE_LIMITS, isTrustedProxyEntry, TRUST_PROXY_NAMES, type RateLimitConfig } from './http/rate-limit';
import { LOG_FORMATS, LOG_LEVELS, type LogSettings } from './logger';
import { DEFAULT_WORKLOAD_IMAGES, DOCKER_REFERENCE_HINT, isDockerImageReference, type WorkloadImages } from '@gpu-shopper/services';

const perMinute = (fallback: number) => z.coerce.number().positive().max(1_000_000).default(fallback);
const burst = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/** A node image override: unset or empty means the pinned default (DEFAULT_WORKLOAD_IMAGES). */
const nodeImage = z
  .string()
  .trim()
  .refine(isDockerImageReference, `must be ${DOCKER_REFERENCE_HINT}`)
  .optional();

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  GPU_SHOPPER_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  GPU_SHOPPER_ADMIN_KEY_FILE: z.string().optional(),
  GPU_SHOPPER_SECRET_KEY: z.string().optional(),
  GPU_SHOPPER_SECRET_KEY_FILE: z.string().optional(),
  GPU_SHOPPER_PUBLIC_URL: z.url().optional(),
  GPU_SHOPPER_DEPLOYMENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "_" and "-" only').optional(),
  GPU_SHOPPER_WEBHOOK_URL: z.url().optional(),
  GPU_SHOPPER_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  GPU_SHOPPER_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/i, 'a postgres:// or postgresql:// URL').optional(),
  GPU_SHOPPER_REPLICA_ID: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits, ".", ":", "_" and "-" only').optional(),
  GPU_SHOPPER_LEASE_SECONDS: z.coerce.number().min(2).max(3600).optional(),
  GPU_SHOPPER_TICK_SECONDS: z.coerce.number().min(1).max(3600).default(15),
  GPU_SHOPPER_SWEEP_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  GPU_SHOPPER_PROVIDER_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(30),
  GPU_SHOPPER_BILLING_RECONCILE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(3_600),
  GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  VASTAI_API_KEY: z.string().min(1).optional(),
  VASTAI_API_URL: z.url().optional(),
  TENSORDOCK_API_TOKEN: z.string().min(1).optional(),
  TENSORDOCK_API_URL: z.url().optional(),
  GPU_SHOPPER_IMAGE_LLM: nodeImage,
  GPU_SHOPPER_IMAGE_TRAINING: nodeImage,
  GPU_SHOPPER_IMAGE_BATCH: nodeImage,
  GPU_SHOPPER_OFFER_DISK_GB: z.coerce.number().int().min(10).max(10_000).default(50),
  GPU_SHOPPER_SIM_BOOT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  GPU_SHOPPER_SIM_NODES: z.enum(['agent', 'none']).default('agent'),
  GPU_SHOPPER_IDLE_ACTIONS: z
    .string()
    .regex(/^(\s*(llm|training|batch)=(alert|shutdown)\s*)(,\s*(llm|training|batch)=(alert|shutdown)\s*)*$/, 'e.g. "llm=alert,training=shutdown,batch=shutdown"')
    .optional(),
  GPU_SHOPPER_EXPIRED_GRACE_MINUTES: z.coerce.number().min(0).max(720).default(15),
  GPU_SHOPPER_HEARTBEAT_LOSS_MINUTES: z.coerce.number().min(1).max(1440).default(5),
  GPU_SHOPPER_READY_DEADLINE_MINUTES_VASTAI: z.coerce.number().min(1).max(240).default(15),
  GPU_SHOPPER_READY_DEADLINE_MINUTES_TENSORDOCK: z.coerce.number().min(1).max(240).default(10),
  GPU_SHOPPER_RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  GPU_SHOPPER_RATE_LIMIT_KEY_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.perApiKey.perMinute),
  GPU_SHOPPER_RATE_LIMIT_KEY_BURST: burst(DEFAULT_RATE_LIMITS.perApiKey.burst),
  GPU_SHOPPER_RATE_LIMIT_ADDRESS_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.perAddress.perMinute),
  GPU_SHOPPER_RATE_LIMIT_ADDRESS_BURST: burst(DEFAULT_RATE_LIMITS.perAddress.burst),
  GPU_SHOPPER_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.authFailuresPerAddress.perMinute),
  GPU_SHOPPER_RATE_LIMIT_AUTH_FAILURE_BURST: burst(DEFAULT_RATE_LIMITS.authFailuresPerAddress.burst),
  GPU_SHOPPER_TRUST_PROXY: z
    .string()
    .refine((value) => value.split(',').every((entry) => isTrustedProxyEntry(entry.trim())), `comma-separated proxy addresses, CIDR ranges or ${TRUST_PROXY_NAMES.join(', ')}`)
    .optional(),
  GPU_SHOPPER_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  GPU_SHOPPER_LOG_FORMAT: z.enum(LOG_FORMATS, { error: `one of ${LOG_FORMATS.join(', ')}` }).optional(),
});

export interface ServerConfig {
  port: number;
  host: string;
  dbPath: string;
  /** PostgreSQL (several replicas) instead of the SQLite file at dbPath. */
  databaseUrl: string | null;
  /**
   * Who holds this replica's leases. Stable across a restart of the same container (hostname, and
   * pid 1), so a restarted replica takes its own work back at once; others wait for the lease to expire.
   */
  replicaId: string;
  /** How long a replica's claim on a session lasts unless renewed (PostgreSQL only). */
  leaseTtlMs: number;
  dataDir: string;
  /** Where a generated admin key is written (0600). */
  adminKeyFile: string;
  adminKey: string | null;
  secretKey: string | null;
  secretKeyFile: string;
  /** Where nodes reach this server; defaults to the listening address. */
  publicUrl: string | null;
  deploymentId: string | null;
  operatorWebhook: { url: string | null; secret: string | null };
  tickIntervalMs: number;
  /** How often the orphan sweep runs (a job of its own, on the provider sync's listing when recent). */
  sweepIntervalMs: number;
  /** Per provider API call attempt. */
  providerTimeoutMs: number;
  /** How often each session's cost is compared with (and, once over, trued up to) the provider's bill. */
  billingReconcileIntervalMs: number;
  /** How long a graceful shutdown waits, in all, for in-flight requests, a running job and provisioning. */
  shutdownGraceMs: number;
  vastai: { apiKey: string | null; apiUrl: string | null };
  tensordock: { apiToken: string | null; apiUrl: string | null };
  offerDiskGb: number;
  /** The container image a node runs, per workload (Vast runs it; a TensorDock VM pulls it). */
  nodeImages: WorkloadImages;
  simulation: { bootDelayMs: number; nodes: 'agent' | 'none' };
  lifecycle: {
    idleActions: Partial<Record<'llm' | 'training' | 'batch', 'alert' | 'shutdown'>>;
    expiredGraceMs: number;
    heartbeatLossMs: number;
    readyDeadlineMs: { vastai: number; tensordock: number };
  };
  /** Token buckets on the API; null when GPU_SHOPPER_RATE_LIMIT=off. Per replica. */
  rateLimits: RateLimitConfig | null;
  /**
   * The proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, proxy-addr names); empty:
   * the client address is the connection's peer. No hop counts: they cannot check who is talking.
   */
  trustProxy: string[];
  /** The log's level and format; format null: pretty on a terminal, JSON lines otherwise. */
  log: LogSettings;
}

export class ConfigError extends Error {}

/** The SQLite file's variable: read by @gpu-shopper/db's resolveDbPath, not by the schema above. */
const DB_PATH_VARIABLE = 'GPU_SHOPPER_DB';

/** Every environment variable the server reads (.env.example documents each; a test holds them equal). */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(EnvSchema.shape), DB_PATH_VARIABLE];

/**
 * The environment with empty (or blank) variables left out: an empty value means "not set". Compose's
 * `VAR: ${VAR:-}`, a `VAR=` line in an env file and Kubernetes' `value: ""` all pass "" for
 * "nothing", and no setting of ours has a meaningful empty value (a URL, key or number cannot be "").
 */
export function presentVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): ServerConfig {
  // The one place the environment is read: everything below sees only variables with a value.
  const env = presentVariables(rawEnv);
  // Parsed once: without zod's compiled fast path, whose generating and compiling cost more than this one parse.
  const parsed = EnvSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const vars = parsed.data;
  if (vars.GPU_SHOPPER_DATABASE_URL !== undefined) {
    // Every replica must seal and read secrets with one key, label instances with one deployment id
    // and accept one operator key: a replica generating its own would lock the others out of its rows
    // or, worse, see their instances as orphans.
    const missing = (['GPU_SHOPPER_SECRET_KEY', 'GPU_SHOPPER_DEPLOYMENT_ID', 'GPU_SHOPPER_ADMIN_KEY'] as const).filter((name) => vars[name] === undefined);
    if (missing.length > 0) throw new ConfigError(`invalid configuration: with GPU_SHOPPER_DATABASE_URL, set ${missing.join(', ')} (the same on every replica)`);
  }
  const dbPath = resolveDbPath(env);
  const dataDir = dbPath === ':memory:' ? './data' : (dbPath.replace(/[/\\]?[^/\\]*$/, '') || '.');
  return {
    port: vars.PORT,
    host: vars.HOST,
    dbPath,
    databaseUrl: vars.GPU_SHOPPER_DATABASE_URL ?? null,
    replicaId: vars.GPU_SHOPPER_REPLICA_ID ?? `${hostname()}-${process.pid}`,
    // Long enough to outlast a step's provider calls, short enough that a dead replica's sessions
    // move on soon: four ticks, at least 10 s.
    leaseTtlMs: (vars.GPU_SHOPPER_LEASE_SECONDS ?? Math.max(10, 4 * vars.GPU_SHOPPER_TICK_SECONDS)) * 1000,
    dataDir,
    adminKeyFile: vars.GPU_SHOPPER_ADMIN_KEY_FILE ?? `${dataDir}/admin-key`,
    adminKey: vars.GPU_SHOPPER_ADMIN_KEY ?? null,
    secretKey: vars.GPU_SHOPPER_SECRET_KEY ?? null,
    secretKeyFile: vars.GPU_SHOPPER_SECRET_KEY_FILE ?? `${dataDir}/master-key`,
    publicUrl: vars.GPU_SHOPPER_PUBLIC_URL ?? null,
    deploymentId: vars.GPU_SHOPPER_DEPLOYMENT_ID ?? null,
    operatorWebhook: { url: vars.GPU_SHOPPER_WEBHOOK_URL ?? null, secret: vars.GPU_SHOPPER_WEBHOOK_SECRET ?? null },
    tickIntervalMs: vars.GPU_SHOPPER_TICK_SECONDS * 1000,
    sweepIntervalMs: vars.GPU_SHOPPER_SWEEP_SECONDS * 1000,
    providerTimeoutMs: vars.GPU_SHOPPER_PROVIDER_TIMEOUT_SECONDS * 1000,
    billingReconcileIntervalMs: vars.GPU_SHOPPER_BILLING_RECONCILE_SECONDS * 1000,
    shutdownGraceMs: vars.GPU_SHOPPER_SHUTDOWN_GRACE_SECONDS * 1000,
    vastai: { apiKey: vars.VASTAI_API_KEY ?? null, apiUrl: vars.VASTAI_API_URL ?? null },
    tensordock: { apiToken: vars.TENSORDOCK_API_TOKEN ?? null, apiUrl: vars.TENSORDOCK_API_URL ?? null },
    offerDiskGb: vars.GPU_SHOPPER_OFFER_DISK_GB,
    nodeImages: {
      llm: vars.GPU_SHOPPER_IMAGE_LLM ?? DEFAULT_WORKLOAD_IMAGES.llm,
      training: vars.GPU_SHOPPER_IMAGE_TRAINING ?? DEFAULT_WORKLOAD_IMAGES.training,
      batch: vars.GPU_SHOPPER_IMAGE_BATCH ?? DEFAULT_WORKLOAD_IMAGES.batch,
    },
    simulation: { bootDelayMs: vars.GPU_SHOPPER_SIM_BOOT_DELAY_MS, nodes: vars.GPU_SHOPPER_SIM_NODES },
    lifecycle: {
      idleActions: parseIdleActions(vars.GPU_SHOPPER_IDLE_ACTIONS),
      expiredGraceMs: vars.GPU_SHOPPER_EXPIRED_GRACE_MINUTES * 60_000,
      heartbeatLossMs: vars.GPU_SHOPPER_HEARTBEAT_LOSS_MINUTES * 60_000,
      readyDeadlineMs: { vastai: vars.GPU_SHOPPER_READY_DEADLINE_MINUTES_VASTAI * 60_000, tensordock: vars.GPU_SHOPPER_READY_DEADLINE_MINUTES_TENSORDOCK * 60_000 },
    },
    rateLimits:
      vars.GPU_SHOPPER_RATE_LIMIT === 'off'
        ? null
        : {
            perApiKey: { perMinute: vars.GPU_SHOPPER_RATE_LIMIT_KEY_PER_MINUTE, burst: vars.GPU_SHOPPER_RATE_LIMIT_KEY_BURST },
            perAddress: { perMinute: vars.GPU_SHOPPER_RATE_LIMIT_ADDRESS_PER_MINUTE, burst: vars.GPU_SHOPPER_RATE_LIMIT_ADDRESS_BURST },
            authFailuresPerAddress: { perMinute: vars.GPU_SHOPPER_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, burst: vars.GPU_SHOPPER_RATE_LIMIT_AUTH_FAILURE_BURST },
          },
    trustProxy: vars.GPU_SHOPPER_TRUST_PROXY?.split(',').map((entry) => entry.trim()) ?? [],
    log: { level: vars.GPU_SHOPPER_LOG_LEVEL, format: vars.GPU_SHOPPER_LOG_FORMAT ?? null },
  };
}

function parseIdleActions(raw: string | undefined): ServerConfig['lifecycle']['idleActions'] {
  const actions: ServerConfig['lifecycle']['idleActions'] = {};
  for (const pair of raw?.split(',') ?? []) {
    const [workload, action] = pair.split('=').map((part) => part.trim()) as ['llm' | 'training' | 'batch', 'alert' | 'shutdown'];
    actions[workload] = action;
  }
  return actions;
}
