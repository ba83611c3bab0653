// For CLI tests of everything after provisioning: sessions written straight into the test server's
// database (as provisioning and the agent would leave them), a scripted provisioner, and the
// secret box and webhook dispatcher the plain test server is started without.
import { randomBytes } from 'node:crypto';
import type { RunningServer } from '@gpu-shopper/server';
import { createShopperClient } from '@gpu-shopper/sdk';
import { insertSession, SecretBox, toSession, transitionSession, WebhookDispatcher, type ProvisionRequest, type SessionProvisioner } from '@gpu-shopper/services';

export async function consumerIdOf(server: RunningServer, apiKey: string): Promise<string> {
  const me = await createShopperClient({ url: server.url, apiKey }).admin.whoami.query({});
  if (me.consumerId === null) throw new Error('not a consumer key');
  return me.consumerId;
}

/** Seals node tokens and SSH keys, as a configured server does; idempotent. */
export function enableSecrets(server: RunningServer): SecretBox {
  server.deps.secrets ??= SecretBox.fromKey(randomBytes(32));
  return server.deps.secrets;
}

/** Consumer webhooks and the delivery log (nothing is ever sent: no delivery tick runs). */
export function enableWebhooks(server: RunningServer): void {
  server.deps.webhookDispatcher ??= new WebhookDispatcher({
    orm: server.deps.orm,
    clock: server.deps.clock,
    secrets: enableSecrets(server),
    operatorWebhookUrl: null,
    operatorWebhookSecret: null,
    logger: { warn: () => {} },
  });
}

export interface SeedOptions {
  state?: 'provisioning' | 'ready';
  hours?: number;
  /** A node token, SSH access and a generated private key, readable by the owner. */
  credentials?: boolean;
  lastHeartbeatAt?: Date;
  agentIdle?: boolean;
}

export const SEEDED_NODE_TOKEN = 'gsn_seeded-node-token-0123456789';
export const SEEDED_PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nseeded\n-----END OPENSSH PRIVATE KEY-----\n';

/** A session of `consumerId`, ready on a Vast.ai RTX 4090 unless told otherwise; returns its id. */
export async function seedSession(server: RunningServer, consumerId: string, options: SeedOptions = {}): Promise<string> {
  const { clock, orm } = server.deps;
  const em = orm.em.fork();
  const row = insertSession(em, clock, { consumerId, workload: 'batch', reservationHours: options.hours ?? 2, deploymentId: 'cli-test', actor: 'test' });
  Object.assign(row, { provider: 'vastai', providerInstanceId: '777', offerId: 'vastai:1', gpuModel: 'RTX 4090', pricePerHourUsd: 0.3, nodeEndpoint: 'http://203.0.113.7:40123' });
  if (options.credentials) {
    const secrets = enableSecrets(server);
    Object.assign(row, { nodeTokenEncrypted: secrets.seal(SEEDED_NODE_TOKEN), sshHost: '203.0.113.7', sshPort: 40022, sshUser: 'root', sshPrivateKeyEncrypted: secrets.seal(SEEDED_PRIVATE_KEY) });
  }
  if ((options.state ?? 'ready') === 'ready') {
    transitionSession(em, clock, row, 'ready', { reason: 'agent hello', actor: 'system' });
    Object.assign(row, { lastHeartbeatAt: options.lastHeartbeatAt ?? clock.now(), agentIdle: options.agentIdle ?? false });
  }
  await em.flush();
  return row.id;
}

export interface ScriptedProvisioner extends SessionProvisioner {
  requests: ProvisionRequest[];
}

/**
 * Provisions a session row at once and, `afterMs` later, makes it ready — or fails it with
 * `failWith`. Honors the idempotency key as the real provisioner does.
 */
export function scriptedProvisioner(server: RunningServer, script: { afterMs: number; failWith?: string }): ScriptedProvisioner {
  const { clock, orm } = server.deps;
  const requests: ProvisionRequest[] = [];
  const byKey = new Map<string, ReturnType<typeof insertSession>>();
  return {
    requests,
    async provision(caller, request) {
      requests.push(request);
      const existing = request.idempotencyKey === undefined ? undefined : byKey.get(request.idempotencyKey);
      if (existing !== undefined) return toSession(existing);
      const em = orm.em.fork();
      const row = insertSession(em, clock, { consumerId: caller.consumerId, workload: request.workload, llmModel: request.llmModel ?? null, reservationHours: request.hours, deploymentId: 'cli-test', idempotencyKey: request.idempotencyKey ?? null, actor: `consumer:${caller.consumerName}` });
      Object.assign(row, { provider: 'vastai', providerInstanceId: '901', offerId: 'vastai:1', gpuModel: 'RTX 4090', pricePerHourUsd: 0.3 });
      await em.flush();
      if (request.idempotencyKey !== undefined) byKey.set(request.idempotencyKey, row);
      setTimeout(() => {
        if (script.failWith === undefined) transitionSession(em, clock, row, 'ready', { reason: 'agent hello', actor: 'system' });
        else transitionSession(em, clock, row, 'failed', { reason: 'provider refused', actor: 'system', endReason: 'provision_failed', failureReason: script.failWith });
        void em.flush();
      }, script.afterMs);
      return toSession(row);
    },
  };
}
