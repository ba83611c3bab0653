// Server configuration from the environment, validated once at start-up with clear messages.
import { z } from 'zod';
import { resolveDbPath } from '@gpu-shopper/db';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  GPU_SHOPPER_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  GPU_SHOPPER_ADMIN_KEY_FILE: z.string().optional(),
  VASTAI_API_KEY: z.string().min(1).optional(),
  VASTAI_API_URL: z.url().optional(),
  TENSORDOCK_API_TOKEN: z.string().min(1).optional(),
  TENSORDOCK_API_URL: z.url().optional(),
  GPU_SHOPPER_OFFER_DISK_GB: z.coerce.number().int().min(10).max(10_000).default(50),
});

export interface ServerConfig {
  port: number;
  host: string;
  dbPath: string;
  /** Where a generated admin key is written (0600). */
  adminKeyFile: string;
  adminKey: string | null;
  vastai: { apiKey: string | null; apiUrl: string | null };
  tensordock: { apiToken: string | null; apiUrl: string | null };
  offerDiskGb: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const vars = parsed.data;
  const dbPath = resolveDbPath(env);
  const dataDir = dbPath === ':memory:' ? './data' : dbPath.replace(/[^/\\]*$/, '') || '.';
  return {
    port: vars.PORT,
    host: vars.HOST,
    dbPath,
    adminKeyFile: vars.GPU_SHOPPER_ADMIN_KEY_FILE ?? `${dataDir.replace(/[/\\]$/, '')}/admin-key`,
    adminKey: vars.GPU_SHOPPER_ADMIN_KEY ?? null,
    vastai: { apiKey: vars.VASTAI_API_KEY ?? null, apiUrl: vars.VASTAI_API_URL ?? null },
    tensordock: { apiToken: vars.TENSORDOCK_API_TOKEN ?? null, apiUrl: vars.TENSORDOCK_API_URL ?? null },
    offerDiskGb: vars.GPU_SHOPPER_OFFER_DISK_GB,
  };
}
