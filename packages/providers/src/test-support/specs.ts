// Shared test inputs: an instance spec carrying a session label.
import { sessionLabel } from '@gpu-shopper/domain';
import type { InstanceSpec } from '../adapter';

let counter = 0;

export function testSpec(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  counter += 1;
  return {
    image: 'ghcr.io/gpu-shopper/agent:latest',
    diskGb: 100,
    env: { GPU_SHOPPER_TOKEN: 'node-token' },
    ports: [8000],
    bootstrapScript: 'echo booting && /opt/agent/start.sh',
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest test@gpu-shopper',
    label: sessionLabel('dep1', `sess${counter}`),
    ...overrides,
  };
}
