// Canned API answers for CLI tests that need no server: a session detail to vary, and a fake SDK
// client whose session reads follow a script.
import type { SessionDetail, ShopperClient, ShopperClientOptions } from '@gpu-shopper/sdk';

/** A ready RTX 4090 session on vastai, with one attempt that created instance 777; override any part. */
export function sessionDetail(overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    id: 'ses_1',
    consumerId: 'con_1',
    state: 'ready',
    workload: 'batch',
    llmModel: null,
    offerId: 'vastai:1',
    provider: 'vastai',
    providerInstanceId: '777',
    gpuModel: 'RTX 4090',
    pricePerHourUsd: 0.3,
    reservation: { hours: 2, startsAt: '2026-01-01T10:00:00.000Z', endsAt: '2026-01-01T12:00:00.000Z', hardMaxEndsAt: '2026-01-01T22:00:00.000Z' },
    label: 'gpu-shopper:dep:ses_1',
    endReason: null,
    failureReason: null,
    createdAt: '2026-01-01T09:58:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    readyAt: '2026-01-01T10:00:00.000Z',
    endedAt: null,
    events: [{ at: '2026-01-01T09:58:00.000Z', from: null, to: 'provisioning', reason: 'created', actor: 'consumer:atlas' }],
    attempts: [{ attempt: 1, provider: 'vastai', offerId: 'vastai:1', instanceId: '777', outcome: 'created', error: null, startedAt: '2026-01-01T09:58:00.000Z', finishedAt: '2026-01-01T09:58:01.000Z' }],
    overrideRequests: [],
    nodeEndpoint: 'http://203.0.113.7:40123',
    lastHeartbeatAt: '2026-01-01T10:00:00.000Z',
    agentIdle: false,
    ...overrides,
  };
}

/**
 * A client for `done`/`shutdown`: the mutation answers `afterMutation`, then every `sessions.get`
 * the next of `reads` (the last one repeats). Only what those commands call exists.
 */
export function scriptedSessionClient(afterMutation: SessionDetail, reads: SessionDetail[]): { createClient: (options: ShopperClientOptions) => ShopperClient; reads: () => number } {
  let count = 0;
  const client = {
    sessions: {
      done: { mutate: async () => afterMutation },
      shutdown: { mutate: async () => afterMutation },
      get: { query: async () => reads[Math.min(count++, reads.length - 1)]! },
    },
  };
  return { createClient: () => client as unknown as ShopperClient, reads: () => count };
}
