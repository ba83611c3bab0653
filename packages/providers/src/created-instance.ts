// What we know of an instance the moment a provider accepted its create: our own request, echoed.
// The provider's real view arrives with the next read.
import type { Offer, ProviderName } from '@gpu-shopper/domain';
import type { InstanceSpec, ProviderInstance } from './adapter';

export function createdInstance(provider: ProviderName, instanceId: string, offer: Offer, spec: InstanceSpec, ports: { portMappings?: Record<number, number>; sshPort?: number | null } = {}): ProviderInstance {
  return {
    provider,
    instanceId,
    label: spec.label,
    // Whatever the create answer says ("running" in TensorDock's docs), the node still has to boot.
    state: 'provisioning',
    providerStatus: null,
    statusMessage: null,
    gpuModel: offer.gpuModel,
    gpuCount: offer.gpuCount,
    pricePerHourUsd: offer.pricePerHourUsd,
    publicIp: null,
    portMappings: ports.portMappings ?? {},
    sshHost: null,
    sshPort: ports.sshPort ?? null,
    startedAt: null,
  };
}
