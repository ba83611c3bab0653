import { describe, expect, it } from 'vitest';
import type { InstanceState, ProviderInstance } from './adapter';
import { newestLeftover } from './leftovers';

const instance = (instanceId: string, label: string | null, state: InstanceState): ProviderInstance => ({ provider: 'vastai', instanceId, label, state, providerStatus: null, statusMessage: null, gpuModel: null, gpuCount: null, pricePerHourUsd: null, publicIp: null, portMappings: {}, sshHost: null, sshPort: null, startedAt: null });

describe('newestLeftover', () => {
  it('skips what an earlier attempt left and is already being destroyed, and takes the newest live one', () => {
    const listed = [instance('17', 'gpu-shopper:d:ses_a', 'destroying'), instance('18', 'gpu-shopper:d:ses_a', 'provisioning'), instance('19', 'gpu-shopper:d:ses_b', 'running'), instance('20', 'gpu-shopper:d:ses_a', 'terminated')];
    expect(newestLeftover(listed, 'gpu-shopper:d:ses_a')?.instanceId).toBe('18');
    expect(newestLeftover(listed, 'gpu-shopper:d:ses_c')).toBeUndefined();
  });
});
