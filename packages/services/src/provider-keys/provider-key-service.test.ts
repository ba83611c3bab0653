import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Caller, type ProviderName } from '@gpu-shopper/domain';
import { AuditEventEntity, ProviderCredentialEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { RequestBudget, TensorDockAdapter, VastAiAdapter } from '@gpu-shopper/providers';
import { startSimulators, type RunningSimulators } from '@gpu-shopper/simulators';
import { ProviderRegistry } from '../provider-registry';
import { SecretBox } from '../secrets/secret-box';
import { loadStoredProviderKeys, ProviderKeyService, type ProviderKeySetup } from './provider-key-service';

describe('ProviderKeyService', () => {
  let orm: Orm;
  let sims: RunningSimulators;
  let setup: ProviderKeySetup;
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const secrets = SecretBox.fromKey(Buffer.alloc(32, 5));
  const operator: Caller = { role: 'admin', keyId: 'key_1', consumerId: null };

  beforeEach(async () => {
    orm = await openTestDatabase();
    sims = await startSimulators({ clock, vastApiKey: 'real-vast-key-123', tensordockApiToken: 'real-td-token-456', vastOfferCount: 50, tensordockHostnodeCount: 5 });
    const common = { clock, retry: { sleep: async () => {} }, budget: RequestBudget.unlimited() };
    const createAdapter = (provider: ProviderName, key: string) =>
      provider === 'vastai' ? new VastAiAdapter({ ...common, apiKey: key, baseUrl: sims.vastUrl }) : new TensorDockAdapter({ ...common, apiKey: key, baseUrl: sims.tensordockUrl });
    const registry = new ProviderRegistry([createAdapter('vastai', 'simulated'), createAdapter('tensordock', 'simulated')]);
    setup = { registry, secrets, clock, createAdapter, startupSources: { vastai: 'simulated', tensordock: 'environment' } };
  });
  afterEach(async () => {
    await sims.close();
    await orm.close();
  });

  it('validates a key against the provider, seals it, and swaps the adapter in at once', async () => {
    const replaced: string[] = [];
    setup.registry.onReplace((adapter) => replaced.push(adapter.name));
    const service = new ProviderKeyService(orm.em.fork(), setup);
    const status = await service.set('vastai', ' real-vast-key-123 ', operator);
    expect(status).toMatchObject({ provider: 'vastai', configured: true, simulated: false, source: 'stored', hint: '…-123' });
    expect(replaced).toEqual(['vastai']);
    const row = await orm.em.fork().findOneOrFail(ProviderCredentialEntity, { provider: 'vastai' });
    expect(row.keyEncrypted).not.toContain('real-vast-key');
    expect(await loadStoredProviderKeys(orm.em.fork(), secrets)).toEqual({ vastai: 'real-vast-key-123' });
    expect(JSON.stringify(await service.status())).not.toContain('real-vast-key');
    // Audited with the change: who and which provider, never the key nor its hint.
    const audit = await orm.em.fork().find(AuditEventEntity, {});
    expect(audit).toMatchObject([{ action: 'provider_key.set', actorKeyId: 'key_1', target: 'provider:vastai', detail: { provider: 'vastai' } }]);
    expect(JSON.stringify(audit)).not.toMatch(/real-vast-key|-123/);
  });

  it('refuses a key the provider rejects, storing nothing', async () => {
    const service = new ProviderKeyService(orm.em.fork(), setup);
    await expect(service.set('vastai', 'wrong-key-000', operator)).rejects.toMatchObject({ code: 'VALIDATION', field: 'key', message: expect.stringContaining('rejected') });
    await expect(service.set('vastai', 'short', operator)).rejects.toMatchObject({ field: 'key' });
    expect(await orm.em.fork().count(ProviderCredentialEntity, {})).toBe(0);
    expect(await orm.em.fork().count(AuditEventEntity, {})).toBe(0);
  });

  it('lets the environment take precedence', async () => {
    const service = new ProviderKeyService(orm.em.fork(), setup);
    await expect(service.set('tensordock', 'real-td-token-456', operator)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await service.status()).map((s) => [s.provider, s.source, s.simulated])).toEqual([
      ['vastai', 'simulated', true],
      ['tensordock', 'environment', false],
    ]);
  });
});
