// A complete provisioning + lifecycle stack over an in-memory database and both provider simulators,
// on one ManualClock: hours of reservation pass in milliseconds.
import { ManualClock, MS_PER_MINUTE, type Caller, type Workload } from '@gpu-shopper/domain';
import { ConsumerEntity, SessionEntity, type Orm, type SessionRow } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { RequestBudget, TensorDockAdapter, VastAiAdapter } from '@gpu-shopper/providers';
import { startSimulators, type RunningSimulators } from '@gpu-shopper/simulators';
import { AlertService } from '../alerts/alert-service';
import { InventoryService } from '../inventory/inventory-service';
import { HeartbeatService } from '../lifecycle/heartbeat-service';
import { LifecycleManager } from '../lifecycle/lifecycle-manager';
import type { LifecyclePolicy } from '../lifecycle/lifecycle-options';
import { ProviderRegistry } from '../provider-registry';
import { Provisioner, type ProvisionerOptions } from '../provisioning/provisioner';
import { SecretBox } from '../secrets/secret-box';
import type { ProvisionRequest } from '../sessions/session-service';
import type { WebhookEvent, WebhookNotifier } from '../webhooks/webhook-notifier';

export class RecordingWebhooks implements WebhookNotifier {
  events: { event: WebhookEvent; consumerId: string | null; payload: Record<string, unknown> }[] = [];
  async notify(event: WebhookEvent, consumerId: string | null, payload: Record<string, unknown>): Promise<void> {
    this.events.push({ event, consumerId, payload });
  }
  named(event: WebhookEvent) {
    return this.events.filter((entry) => entry.event === event);
  }
}

export interface LifecycleHarness {
  clock: ManualClock;
  orm: Orm;
  sims: RunningSimulators;
  registry: ProviderRegistry;
  inventory: InventoryService;
  provisioner: Provisioner;
  lifecycle: LifecycleManager;
  webhooks: RecordingWebhooks;
  secrets: SecretBox;
  consumer: Caller & { role: 'consumer' };
  /** What the lifecycle and the provisioner logged (operators read these). */
  logs: string[];
  /** Provisions and settles the create call (the session is provisioning with an instance). */
  provision(request?: Partial<ProvisionRequest>): Promise<string>;
  /** Provisions, lets the provider boot it and the agent say hello: a ready session. */
  provisionReady(workload?: Workload, hours?: number): Promise<string>;
  heartbeat(sessionId: string, idle?: boolean, final?: boolean): Promise<{ shutdown: boolean; reservationEndsAt: string | null }>;
  session(sessionId: string): Promise<SessionRow>;
  /** Advances the clock (and the simulators) and runs one lifecycle tick. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Pick<ProvisionerOptions, 'maxAttempts' | 'images' | 'agentBundle' | 'sleep'> {
  /** Offers on each simulator's menu (default 300 Vast offers, 30 TensorDock host nodes). */
  vastOfferCount?: number;
  tensordockHostnodeCount?: number;
  /** The adapters' waits between retries move the injected clock (default: they take no time). */
  retriesTakeTime?: boolean;
  /** How long the adapters wait for an answer (default 2 s of real time). */
  providerTimeoutMs?: number;
}

export async function createLifecycleHarness(policy: Partial<LifecyclePolicy> = {}, options: HarnessOptions = {}): Promise<LifecycleHarness> {
  const { vastOfferCount = 300, tensordockHostnodeCount = 30, retriesTakeTime = false, providerTimeoutMs = 2_000, ...provisioning } = options;
  const clock = new ManualClock('2026-04-01T08:00:00.000Z');
  const orm = await openTestDatabase();
  const sims = await startSimulators({ clock, bootDelayMs: 2 * MS_PER_MINUTE, vastApiKey: 'vk', tensordockApiToken: 'tt', vastOfferCount, tensordockHostnodeCount });
  const common = { clock, retry: { sleep: async (ms: number) => (retriesTakeTime ? void clock.advance(ms) : undefined), random: () => 0.5 }, budget: RequestBudget.unlimited(), timeoutMs: providerTimeoutMs };
  const registry = new ProviderRegistry([new VastAiAdapter({ ...common, apiKey: 'vk', baseUrl: sims.vastUrl }), new TensorDockAdapter({ ...common, apiKey: 'tt', baseUrl: sims.tensordockUrl })]);
  const inventory = new InventoryService({ adapters: registry.all(), clock });
  const webhooks = new RecordingWebhooks();
  const secrets = SecretBox.fromKey(Buffer.alloc(32, 3));
  const logs: string[] = [];
  const logger = { warn: (message: string) => void logs.push(message) };
  const provisioner = new Provisioner({ orm, clock, inventory, providers: registry, secrets, webhooks, deploymentId: 'test', shopperPublicUrl: 'http://127.0.0.1:1', bootstrapScript: 'echo boot', logger, ...provisioning });
  const lifecycle = new LifecycleManager({ orm, clock, providers: registry, alerts: new AlertService(clock, webhooks, { warn: () => {} }), webhooks, deploymentId: 'test', isProvisioning: (id) => provisioner.isInFlight(id), failover: (id, outcome, reason, stoppedAt) => provisioner.failover(id, outcome, reason, stoppedAt), resumeProvisioning: (id) => provisioner.resume(id), policy, logger });
  const em = orm.em.fork();
  em.create(ConsumerEntity, { id: 'con_atlas', name: 'atlas', createdAt: clock.now(), webhookUrl: null, webhookSecretEncrypted: null });
  await em.flush();
  const consumer = { role: 'consumer', keyId: 'key_atlas', consumerId: 'con_atlas', consumerName: 'atlas' } as const;

  const session = (id: string) => orm.em.fork().findOneOrFail(SessionEntity, { id });
  /** `final`: the agent's last heartbeat as it shuts down. */
  const heartbeat = async (sessionId: string, idle = false, final = false) => {
    const row = await session(sessionId);
    const token = secrets.open(row.nodeTokenEncrypted!);
    return new HeartbeatService(orm.em.fork(), clock, webhooks).receive(sessionId, token, {
      sentAt: clock.now().toISOString(),
      status: { ready: true, runningJobs: idle ? 0 : 1, maxGpuUtilizationPercent: idle ? 0 : 90 },
      idle: { idle, idleSince: idle ? clock.now().toISOString() : null, reason: idle ? 'no activity' : 'job running' },
      final,
    });
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await lifecycle.tick();
  };
  const provision = async (request: Partial<ProvisionRequest> = {}) => {
    const created = await provisioner.provision(consumer, { gpu: '4090', hours: 2, workload: 'batch', ...request });
    await provisioner.settled();
    return created.id;
  };
  return {
    clock,
    orm,
    sims,
    registry,
    inventory,
    provisioner,
    lifecycle,
    webhooks,
    secrets,
    consumer,
    logs,
    provision,
    async provisionReady(workload = 'batch', hours = 2) {
      const id = await provision({ workload, hours, ...(workload === 'llm' ? { llmModel: 'tiny' } : {}) });
      await advance(3 * MS_PER_MINUTE); // the provider boots it
      await heartbeat(id);
      return id;
    },
    heartbeat,
    session,
    advance,
    close: async () => {
      await provisioner.settled();
      await sims.close();
      await orm.close();
    },
  };
}
