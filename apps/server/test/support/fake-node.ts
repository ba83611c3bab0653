// Speaks for a node without running an agent: provisions a session and sends the heartbeat the agent
// would, so fault tests can reach "ready" in one tick.
import { expect } from 'vitest';
import type { ProviderName, Session, SessionCredentials } from '@gpu-shopper/domain';
import type { TestStack } from './stack';

export interface ReadySession {
  id: string;
  nodeToken: string;
  provider: ProviderName;
  instanceId: string;
}

export async function sendHeartbeat(stack: TestStack, sessionId: string, nodeToken: string, options: { idle?: boolean } = {}): Promise<{ shutdown: boolean }> {
  const heartbeat = {
    sessionId,
    sentAt: stack.clock.now().toISOString(),
    status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null },
    activity: {},
    idle: { idle: options.idle ?? false, idleSince: options.idle ? stack.clock.now().toISOString() : null, reason: options.idle ? 'quiet' : 'busy' },
    final: false,
  };
  return stack.json(`/api/v1/sessions/${sessionId}/heartbeat`, { method: 'POST', key: nodeToken, body: JSON.stringify(heartbeat) });
}

/** POST /sessions, let the create settle, one tick (the provider runs it), one heartbeat: ready. */
export async function provisionReady(stack: TestStack, provider: ProviderName): Promise<ReadySession> {
  const created = await stack.json<Session>('/api/v1/sessions', { method: 'POST', body: JSON.stringify({ gpu: '4090', hours: 1, provider }) });
  await stack.server.provisioner!.settled();
  await stack.server.tick();
  const { nodeToken } = await stack.json<SessionCredentials>(`/api/v1/sessions/${created.id}/credentials`);
  await sendHeartbeat(stack, created.id, nodeToken);
  const session = await stack.json<Session>(`/api/v1/sessions/${created.id}`);
  expect(session).toMatchObject({ state: 'ready', provider });
  return { id: created.id, nodeToken, provider, instanceId: session.providerInstanceId! };
}
