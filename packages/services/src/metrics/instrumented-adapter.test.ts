import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import { OfferGoneError, ProviderUnavailableError } from '@gpu-shopper/providers';
import { withLogContext } from '../logging/log-context';
import type { LogFields } from '../logging/service-logger';
import { instrumentAdapter } from './instrumented-adapter';
import { ProviderCallMetrics } from './provider-call-metrics';

describe('instrumentAdapter', () => {
  it('counts and times every call, passing results and errors through', async () => {
    const inner = {
      name: 'vastai',
      searchOffers: async () => [],
      listInstances: async () => {
        throw new ProviderUnavailableError('vastai', 'HTTP 503');
      },
    } as unknown as ProviderAdapter;
    const metrics = new ProviderCallMetrics();
    const adapter = instrumentAdapter(inner, metrics);
    expect(await adapter.searchOffers({ diskGb: 10 })).toEqual([]);
    await expect(adapter.listInstances()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(adapter.describeBilling).toBeUndefined();
    const calls = metrics.families().find((family) => family.name.includes('calls'));
    expect(calls?.samples).toEqual(
      expect.arrayContaining([
        { labels: { provider: 'vastai', operation: 'search_offers', outcome: 'ok' }, value: 1 },
        { labels: { provider: 'vastai', operation: 'list_instances', outcome: 'error' }, value: 1 },
      ]),
    );
  });

  it('logs a failed call once per streak (after the adapter’s own retries), its repeats at debug, and its recovery', async () => {
    let failing = true;
    const inner = {
      name: 'vastai',
      listInstances: async () => {
        if (failing) throw new ProviderUnavailableError('vastai', 'list instances: HTTP 503');
        return [];
      },
      destroyInstance: async () => {
        throw new ProviderUnavailableError('vastai', 'destroy: HTTP 502');
      },
      createInstance: async () => {
        throw new OfferGoneError('vastai', 'no_such_ask');
      },
    } as unknown as ProviderAdapter;
    const lines: { level: string; message: string; fields?: LogFields }[] = [];
    const at = (level: string) => (message: string, fields?: LogFields) => lines.push({ level, message, fields });
    const adapter = instrumentAdapter(inner, new ProviderCallMetrics(), { debug: at('debug'), info: at('info'), warn: at('warn') });

    for (let tick = 0; tick < 3; tick += 1) await expect(adapter.listInstances()).rejects.toThrow();
    await withLogContext({ sessionId: 'ses_1' }, () => expect(adapter.destroyInstance('42')).rejects.toThrow());
    await expect(adapter.destroyInstance('43')).rejects.toThrow();
    await expect(adapter.createInstance({ id: 'vastai:7' } as never, {} as never)).rejects.toBeInstanceOf(OfferGoneError);
    failing = false;
    await adapter.listInstances();
    await adapter.listInstances();

    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'provider call failed'],
      ['debug', 'provider call still failing'],
      ['debug', 'provider call still failing'],
      ['warn', 'provider call failed'],
      ['warn', 'provider call failed'],
      ['info', 'provider call failed: offer gone'],
      ['info', 'provider call recovered'],
    ]);
    expect(lines[0]!.fields).toEqual({ provider: 'vastai', operation: 'list_instances', durationMs: expect.any(Number), error: 'vastai: list instances: HTTP 503' });
    expect(lines[3]!.fields).toMatchObject({ provider: 'vastai', operation: 'destroy_instance', instanceId: '42' });
    expect(lines[4]!.fields).toMatchObject({ instanceId: '43' });
    expect(lines[5]!.fields).toMatchObject({ operation: 'create_instance', offerId: 'vastai:7' });
    expect(lines[6]!.fields).toEqual({ provider: 'vastai', operation: 'list_instances', failures: 3 });
  });
});
