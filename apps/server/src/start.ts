// Starts the whole server: database (migrated), operator bootstrap, providers, provisioning, the
// lifecycle manager (after crash recovery), webhooks and HTTP. Used by `npm start`,
// `gpu-shopper serve`, the end-to-end tests and the benchmarks.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '@gpu-shopper/domain';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase } from '@gpu-shopper/db';
import {
  AlertService,
  ApiKeyService,
  BudgetEnforcer,
  BudgetGuard,
  CallerCache,
  endConsumerSessions,
  instrumentAdapter,
  LedgerService,
  ProviderCallMetrics,
  ReconciliationService,
  DEFAULT_LIFECYCLE_POLICY,
  InventoryService,
  LifecycleManager,
  loadStoredProviderKeys,
  ProviderRegistry,
  Provisioner,
  SecretBox,
  WebhookDispatcher,
  type LifecyclePolicy,
  type OfferSource,
} from '@gpu-shopper/services';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import type { ApiDeps } from '@gpu-shopper/api';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdminKey, type AdminBootstrap } from './admin-bootstrap';
import type { ServerConfig } from './config';
import { buildHttpServer } from './http/build-server';
import { consoleLogger, type Logger } from './logger';
import { startJobs } from './jobs';
import { agentFiles, setUpProviders } from './providers';

export interface StartOptions {
  config: ServerConfig;
  clock?: Clock;
  logger?: Logger;
  /** Replaces the configured providers (tests, benchmarks). Offer sources only: no provisioning. */
  adapters?: OfferSource[];
  /** Replaces the configured providers with full adapters (end-to-end tests against simulators). */
  providerAdapters?: ProviderAdapter[];
  /** Run lifecycle ticks on a timer (default true); tests drive `lifecycle.tick()` themselves. */
  runLifecycle?: boolean;
  lifecyclePolicy?: Partial<LifecyclePolicy>;
  readyDeadlineMs?: number;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  deps: ApiDeps;
  admin: AdminBootstrap;
  simulatedProviders: string[];
  lifecycle: LifecycleManager | null;
  provisioner: Provisioner | null;
  webhooks: WebhookDispatcher;
  ledger: LedgerService;
  /** One lifecycle tick, the accounting (ledger, budgets) and due webhook deliveries. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger();
  const orm = await openDatabase({ dbPath: config.dbPath });
  const closers: (() => Promise<void>)[] = [() => orm.close()];
  const closeAll = async () => {
    for (const close of [...closers].reverse()) await close().catch(() => undefined);
  };
  try {
    const callerCache = new CallerCache(clock);
    const admin = await bootstrapAdminKey(new ApiKeyService(orm.em.fork(), clock, callerCache), { adminKey: config.adminKey, adminKeyFile: config.adminKeyFile });
    const secrets = SecretBox.load({ secretKey: config.secretKey, keyFile: config.secretKeyFile });
    const deploymentId = config.deploymentId ?? loadDeploymentId(`${config.dataDir}/deployment-id`, config.dbPath === ':memory:');
    const webhooks = new WebhookDispatcher({ orm, clock, secrets, operatorWebhookUrl: config.operatorWebhook.url, operatorWebhookSecret: config.operatorWebhook.secret, logger });
    const providerMetrics = new ProviderCallMetrics();
    const ledger = new LedgerService();

    let setup: Awaited<ReturnType<typeof setUpProviders>> | null = null;
    let offerSources: OfferSource[];
    let registry: ProviderRegistry | null = null;
    if (options.adapters !== undefined) {
      offerSources = options.adapters;
    } else if (options.providerAdapters !== undefined) {
      registry = new ProviderRegistry(options.providerAdapters.map((adapter) => instrumentAdapter(adapter, providerMetrics)));
      offerSources = registry.all();
    } else {
      setup = await setUpProviders(config, clock, logger, await loadStoredProviderKeys(orm.em.fork(), secrets));
      closers.push(setup.close);
      registry = new ProviderRegistry(setup.adapters.map((adapter) => instrumentAdapter(adapter, providerMetrics)));
      offerSources = registry.all();
    }
    const inventory = new InventoryService({ adapters: offerSources, clock, diskGb: config.offerDiskGb, logger });
    registry?.onReplace((adapter) => inventory.replaceAdapter(adapter));

    const deps: ApiDeps = {
      orm,
      clock,
      inventory,
      callerCache,
      provisioner: null,
      webhooks,
      secrets,
      webhookDispatcher: webhooks,
      providerKeys:
        setup !== null && registry !== null
          ? { registry, secrets, clock, createAdapter: (provider, key) => instrumentAdapter(setup!.createAdapter(provider, key), providerMetrics), startupSources: setup.sources }
          : null,
      providerMetrics,
    };
    const app = buildHttpServer(deps, logger);
    closers.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}`;

    let provisioner: Provisioner | null = null;
    let lifecycle: LifecycleManager | null = null;
    // One guard per process: its locks make concurrent provisions and extensions unable to overshoot a budget together.
    const budgetGuard = new BudgetGuard({ clock, ledger });
    const alerts = new AlertService(clock, webhooks, logger);
    deps.budgets = { guard: budgetGuard, alerts };
    if (registry !== null) {
      provisioner = new Provisioner({
        orm,
        clock,
        inventory,
        providers: registry,
        secrets,
        webhooks,
        deploymentId,
        shopperPublicUrl: config.publicUrl ?? url,
        bootstrapScript: readFileSync(agentFiles().bootstrapScript, 'utf8'),
        diskGb: config.offerDiskGb,
        readyDeadlineMs: options.readyDeadlineMs === undefined ? config.lifecycle.readyDeadlineMs : { vastai: options.readyDeadlineMs, tensordock: options.readyDeadlineMs },
        budgetGuard,
        logger,
      });
      lifecycle = new LifecycleManager({ orm, clock, providers: registry, alerts, webhooks, deploymentId, isProvisioning: (id) => provisioner!.isInFlight(id), failover: (id, outcome, reason, stoppedAt) => provisioner!.failover(id, outcome, reason, stoppedAt), resumeProvisioning: (id) => provisioner!.resume(id), policy: { ...lifecyclePolicyFrom(config), ...options.lifecyclePolicy }, logger });
      // Crash recovery before serving provisioning: every non-terminal session is reconciled first.
      await lifecycle.recover();
      deps.provisioner = provisioner;
    }
    const budgets = new BudgetEnforcer({ notifier: webhooks, ledger, endSessions: async (consumerId, reason) => void (await endConsumerSessions(orm, clock, consumerId, reason)) });
    const reconciliation = new ReconciliationService({ ledger, notifier: webhooks });
    const accounting = async () => {
      await ledger.accrue(orm.em.fork(), clock.now());
      await budgets.check(orm.em.fork(), clock.now());
    };
    const tick = async () => {
      await lifecycle?.tick();
      await accounting();
      await webhooks.deliverDue();
    };
    if (options.runLifecycle !== false) {
      const jobs = startJobs(
        [
          { id: 'lifecycle', everyMs: config.tickIntervalMs, run: () => lifecycle?.tick() ?? Promise.resolve() },
          { id: 'accounting', everyMs: 60_000, run: accounting },
          { id: 'webhooks', everyMs: 5_000, run: () => webhooks.deliverDue() },
          { id: 'reconciliation', everyMs: config.billingReconcileIntervalMs, run: () => reconciliation.run(orm.em.fork(), registry?.all() ?? [], clock.now()) },
        ],
        logger,
      );
      closers.push(async () => jobs.stop());
    }
    closers.push(async () => {
      await provisioner?.settled();
    });
    return { url, app, deps, admin, simulatedProviders: setup?.simulated ?? [], lifecycle, provisioner, webhooks, ledger, tick, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function lifecyclePolicyFrom(config: ServerConfig): Partial<LifecyclePolicy> {
  return {
    expiredGraceMs: config.lifecycle.expiredGraceMs,
    heartbeatLossMs: config.lifecycle.heartbeatLossMs,
    idleAction: { ...DEFAULT_LIFECYCLE_POLICY.idleAction, ...config.lifecycle.idleActions },
  };
}

/** A stable id for this installation, kept beside the database: it scopes our instance labels. */
function loadDeploymentId(file: string, ephemeral: boolean): string {
  if (!ephemeral && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = `d${randomBytes(5).toString('hex')}`;
  if (!ephemeral) {
    mkdirSync(file.replace(/[/\\][^/\\]*$/, '') || '.', { recursive: true });
    writeFileSync(file, `${id}\n`);
  }
  return id;
}
