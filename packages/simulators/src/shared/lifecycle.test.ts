import { describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { InstanceLifecycle } from './lifecycle';

describe('InstanceLifecycle billing', () => {
  it('bills storage until the instance is destroyed, not until the next look after it', () => {
    const clock = new ManualClock('2026-11-29T10:00:00.000Z');
    const lifecycle = new InstanceLifecycle<Record<string, never>>({ clock, bootDelayMs: 5_000, launchFor: (instance) => ({ provider: 'vastai', instanceId: instance.id, label: null, env: {}, onstart: null, cloudInit: null, portMappings: {}, providerApiUrl: 'http://127.0.0.1:1' }) });
    const startMs = clock.now().getTime();
    lifecycle.create('i-1', {}, { computePerHourUsd: 1, storagePerHourUsd: 0.1 });
    clock.advance(10_000);
    lifecycle.tick();
    expect(lifecycle.destroy('i-1')).toBe('destroying');
    clock.advance(60_000); // the exiting phase (a fifth of the boot delay) ended long before this look
    lifecycle.tick();
    const instance = lifecycle.get('i-1')!;
    expect(instance.phase).toBe('destroyed');
    const storageEnd = Math.max(...instance.ledger.segments.filter((segment) => segment.kind === 'storage').map((segment) => segment.toMs));
    expect(storageEnd).toBe(instance.destroyedAtMs);
    expect(storageEnd).toBe(startMs + 10_000 + 1_000);
  });
});
