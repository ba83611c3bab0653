// First start: make sure an operator can get in. Either the key from GPU_SHOPPER_ADMIN_KEY is
// registered, or — when no admin key exists yet — one is generated and written to a 0600 file.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApiKeyService } from '@gpu-shopper/services';

export type AdminBootstrap = { kind: 'env' } | { kind: 'existing' } | { kind: 'generated'; keyFile: string };

export async function bootstrapAdminKey(apiKeys: ApiKeyService, options: { adminKey: string | null; adminKeyFile: string }): Promise<AdminBootstrap> {
  if (options.adminKey !== null) {
    await apiKeys.ensureAdminKey(options.adminKey);
    return { kind: 'env' };
  }
  if (await apiKeys.hasActiveAdminKey()) return { kind: 'existing' };
  const { key } = await apiKeys.createAdminKey();
  const keyFile = resolve(options.adminKeyFile);
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // the mode above is ignored when the file already existed
  return { kind: 'generated', keyFile };
}
