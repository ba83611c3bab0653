// Provider keys configured by an operator at run time: validated against the provider, sealed at
// rest, and put to use at once (the adapter is swapped in place, no restart). Keys from the
// environment take precedence; a key is never returned, only a masked hint.
import type { EntityManager } from '@gpu-shopper/db';
import type { Caller, Clock, ProviderName } from '@gpu-shopper/domain';
import { ConflictError, PROVIDER_NAMES, ValidationError } from '@gpu-shopper/domain';
import { ProviderCredentialEntity } from '@gpu-shopper/db';
import { AuthFailedError, type ProviderAdapter } from '@gpu-shopper/providers';
import { recordOperatorAction } from '../audit/audit-log';
import { actorOf } from '../caller';
import type { ProviderRegistry } from '../provider-registry';
import type { SecretBox } from '../secrets/secret-box';

export type ProviderKeySource = 'environment' | 'stored' | 'simulated' | 'none';

export interface ProviderKeyStatus {
  provider: ProviderName;
  configured: boolean;
  simulated: boolean;
  source: ProviderKeySource;
  hint: string | null;
  updatedAt: string | null;
}

export interface ProviderKeySetup {
  registry: ProviderRegistry;
  secrets: SecretBox;
  clock: Clock;
  /** Builds the real adapter for a key. */
  createAdapter(provider: ProviderName, key: string): ProviderAdapter;
  /** Where each provider's current adapter came from at start-up. */
  startupSources: Record<ProviderName, ProviderKeySource>;
}

export function keyHint(key: string): string {
  return key.length <= 8 ? '…' : `…${key.slice(-4)}`;
}

export class ProviderKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly setup: ProviderKeySetup,
  ) {}

  async status(): Promise<ProviderKeyStatus[]> {
    const stored = new Map((await this.em.find(ProviderCredentialEntity, {})).map((row) => [row.provider, row]));
    return PROVIDER_NAMES.map((provider) => {
      const row = stored.get(provider);
      const source = this.setup.startupSources[provider] === 'environment' ? 'environment' : row !== undefined ? 'stored' : this.setup.startupSources[provider];
      return {
        provider,
        configured: source === 'environment' || source === 'stored',
        simulated: source === 'simulated',
        source,
        hint: source === 'stored' ? (row?.hint ?? null) : null,
        updatedAt: source === 'stored' ? (row?.updatedAt.toISOString() ?? null) : null,
      };
    });
  }

  /** Validates the key with a read-only call, stores it sealed, and starts using it. */
  async set(provider: ProviderName, key: string, caller: Caller): Promise<ProviderKeyStatus> {
    const actor = actorOf(caller);
    if (this.setup.startupSources[provider] === 'environment') {
      throw new ConflictError(`${provider} uses the key from the environment, which takes precedence; unset it to configure one here`);
    }
    const trimmed = key.trim();
    if (trimmed.length < 8 || /\s/.test(trimmed)) throw new ValidationError('key', 'does not look like a provider key');
    const adapter = this.setup.createAdapter(provider, trimmed);
    try {
      await adapter.listInstances();
    } catch (error) {
      if (error instanceof AuthFailedError) throw new ValidationError('key', `${provider} rejected this key`);
      throw new ValidationError('key', `could not validate the key against ${provider}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const now = this.setup.clock.now();
    const row = (await this.em.findOne(ProviderCredentialEntity, { provider })) ?? this.em.create(ProviderCredentialEntity, { provider, keyEncrypted: '', hint: '', updatedAt: now, updatedBy: actor });
    row.keyEncrypted = this.setup.secrets.seal(trimmed);
    row.hint = keyHint(trimmed);
    row.updatedAt = now;
    row.updatedBy = actor;
    // Which provider and when, never the key nor its hint.
    recordOperatorAction(this.em, this.setup.clock, caller, 'provider_key.set', `provider:${provider}`, { provider });
    await this.em.flush();
    this.setup.registry.replace(adapter);
    return (await this.status()).find((entry) => entry.provider === provider)!;
  }
}

/** At start-up: the stored keys, opened, for providers without an environment key. */
export async function loadStoredProviderKeys(em: EntityManager, secrets: SecretBox): Promise<Partial<Record<ProviderName, string>>> {
  const keys: Partial<Record<ProviderName, string>> = {};
  for (const row of await em.find(ProviderCredentialEntity, {})) keys[row.provider] = secrets.open(row.keyEncrypted);
  return keys;
}
