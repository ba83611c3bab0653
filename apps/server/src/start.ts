// Starts the whole server: database (migrated), operator bootstrap, providers, provisioning, the
// lifecycle manager (after crash recovery), webhooks and HTTP. Used by `npm start`,
// `gpu-shopper serve`, the end-to-end tests and the benchmarks. HTTP listens before crash recovery
// (/healthz and /readyz answer, POST /sessions is 503 until provisioning is on); `close()` is the
// graceful shutdown, which never closes the database under work that still uses it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '@gpu-shopper/domain';
import { systemClock } from '@gpu-shopper/domain';
import { openDatabase, postgresAdvisoryLocks, type Orm } from '@gpu-shopper/db';
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
  JobLeases,
  SessionLeases,
  LifecycleManager,
  loadStoredProviderKeys,
  ProviderRegistry,
  Provisioner,
  SecretBox,
  SessionTransitionLog,
  WebhookDispatcher,
  type LifecyclePolicy,
  type OfferSource,
} from '@gpu-shopper/services';
import type { ProviderAdapter } from '@gpu-shopper/providers';
import type { ApiDeps } from '@gpu-shopper/api';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdminKey, type AdminBootstrap } from './admin-bootstrap';
import { ensurePrivateDataDir } from './data-dir';
import { tuneV8ForServing } from './v8-tuning';
import type { ServerConfig } from './config';
import { buildHttpServer } from './http/build-server';
import { InFlightWork } from './in-flight';
import { componentLogger, consoleLogger, type Logger } from './logger';
import { lifecycleJobs, startJobs, type RunningJobs } from './jobs';
import { Readiness, type ReadinessReport } from './readiness';
import { agentFiles, setUpProviders } from './providers';
import { AGENT_BUNDLE_ROUTE, agentBundleLoader } from './http/agent-bundle';

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
  /**
   * Extra agent env for simulation mode's nodes (tests: a short heartbeat interval). Nodes never
   * inherit this process's env, so this is the one way to set their agents' knobs.
   */
  simulatedAgentEnv?: Record<string, string>;
  /** Called once HTTP listens, before crash recovery: /healthz and /readyz answer at this URL from then on. */
  onListening?: (url: string) => void;
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
  /** What GET /readyz answers now. */
  readiness(): ReadinessReport;
  /** One lifecycle tick, the accounting (ledger, budgets) and due webhook deliveries; refused once `close()` began. */
  tick(): Promise<void>;
  /**
   * Graceful shutdown (later calls share the first): /readyz turns 503 "draining", the listener
   * closes and requests in progress finish, the scheduled jobs stop and a run in progress (or a
   * `tick()`) finishes, in-flight provisioning settles, then the database closes. All of it within
   * `config.shutdownGraceMs`; if work is still running then, the database is left open (never closed
   * under it) and this rejects, naming what was still running.
   */
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger(process.stderr, config.log);
  // A logger made before the configuration was read (main.ts, `gpu-shopper serve`) takes its level and format now.
  logger.configure?.(config.log);
  logger.redactValues?.([config.adminKey, config.secretKey, config.operatorWebhook.secret, config.vastai.apiKey, config.tensordock.apiToken]);
  const log = (component: string) => componentLogger(logger, component);
  const readiness = new Readiness();
  // Ticks and scheduled runs: shutdown waits for these before the database closes.
  const inFlight = new InFlightWork();
  // The database and key files live here: other users (simulated nodes run as one) must not read it.
  if (config.databaseUrl === null && config.dbPath !== ':memory:') {
    const { warning } = ensurePrivateDataDir(config.dataDir);
    if (warning !== null) logger.warn(warning);
  }
  // One server per SQLite file: a second one refuses to start (see packages/db/src/database-lock.ts).
  // On PostgreSQL, replicas share the database and coordinate through leases in it.
  const orm = await openDatabase({ dbPath: config.dbPath, databaseUrl: config.databaseUrl ?? undefined, exclusive: true });
  const closers: (() => Promise<void>)[] = [() => orm.close()];
  // Every session state change, logged once it commits (whichever service made it).
  orm.em.getEventManager().registerSubscriber(new SessionTransitionLog(log('sessions')));
  // Several replicas (PostgreSQL): sessions and singleton jobs are leased in the database. On SQLite
  // the file lock already makes this process the only one, and nothing needs leasing.
  const coordination = config.databaseUrl === null ? null : replicaCoordination(orm, clock, config);
  if (coordination !== null) closers.push(() => coordination.databaseLocks.close());
  const closeAll = async () => {
    for (const close of [...closers].reverse()) await close().catch(() => undefined);
  };
  try {
    const callerCache = new CallerCache(clock);
    const admin = await bootstrapAdminKey(new ApiKeyService(orm.em.fork(), clock, callerCache), { adminKey: config.adminKey, adminKeyFile: config.adminKeyFile });
    const secrets = SecretBox.load({ secretKey: config.secretKey, keyFile: config.secretKeyFile });
    const deploymentId = config.deploymentId ?? loadDeploymentId(`${config.dataDir}/deployment-id`, config.dbPath === ':memory:');
    const webhooks = new WebhookDispatcher({ orm, clock, secrets, operatorWebhookUrl: config.operatorWebhook.url, operatorWebhookSecret: config.operatorWebhook.secret, logger: log('webhooks') });
    const providerMetrics = new ProviderCallMetrics();
    const ledger = new LedgerService();

    let setup: Awaited<ReturnType<typeof setUpProviders>> | null = null;
    let offerSources: OfferSource[];
    let registry: ProviderRegistry | null = null;
    if (options.adapters !== undefined) {
      offerSources = options.adapters;
    } else if (options.providerAdapters !== undefined) {
      registry = new ProviderRegistry(options.providerAdapters.map((adapter) => instrumentAdapter(adapter, providerMetrics, log('providers'))));
      offerSources = registry.all();
    } else {
      setup = await setUpProviders(config, clock, log('providers'), await loadStoredProviderKeys(orm.em.fork(), secrets), { agentEnv: options.simulatedAgentEnv });
      closers.push(setup.close);
      registry = new ProviderRegistry(setup.adapters.map((adapter) => instrumentAdapter(adapter, providerMetrics, log('providers'))));
      offerSources = registry.all();
    }
    const inventory = new InventoryService({ adapters: offerSources, clock, diskGb: config.offerDiskGb, logger: log('inventory') });
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
          ? { registry, secrets, clock, createAdapter: (provider, key) => instrumentAdapter(setup!.createAdapter(provider, key), providerMetrics, log('providers')), startupSources: setup.sources }
          : null,
      providers: registry,
      providerMetrics,
      heartbeats: { logger: log('heartbeats') },
    };
    const agentBundle = agentBundleLoader(agentFiles().bundle);
    const app = buildHttpServer(deps, log('http'), readiness, { rateLimits: config.rateLimits, trustProxy: config.trustProxy, agentBundle });
    closers.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${port}`;
    options.onListening?.(url);

    let provisioner: Provisioner | null = null;
    let lifecycle: LifecycleManager | null = null;
    // One guard per process: its locks make concurrent provisions and extensions unable to overshoot a budget together.
    const budgetGuard = new BudgetGuard({ clock, ledger, databaseLocks: coordination?.databaseLocks });
    const alerts = new AlertService(clock, webhooks, log('alerts'));
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
        agentBundle: () => {
          const bundle = agentBundle();
          return bundle === null ? null : { url: `${config.publicUrl ?? url}${AGENT_BUNDLE_ROUTE}`, sha256: bundle.sha256 };
        },
        diskGb: config.offerDiskGb,
        images: config.nodeImages,
        readyDeadlineMs: options.readyDeadlineMs === undefined ? config.lifecycle.readyDeadlineMs : { vastai: options.readyDeadlineMs, tensordock: options.readyDeadlineMs },
        budgetGuard,
        logger: log('provisioning'),
        leases: coordination?.sessions,
      });
      lifecycle = new LifecycleManager({ orm, clock, providers: registry, alerts, webhooks, deploymentId, isProvisioning: (id) => provisioner!.isInFlight(id), failover: (id, outcome, reason, stoppedAt) => provisioner!.failover(id, outcome, reason, stoppedAt), resumeProvisioning: (id) => provisioner!.resume(id), policy: { ...lifecyclePolicyFrom(config), ...options.lifecyclePolicy }, logger: log('lifecycle'), leases: coordination?.sessions });
      // A node that reports its bootstrap or engine failed fails its attempt now, not at the deadline.
      const failReportedByNode = lifecycle.failReportedByNode.bind(lifecycle);
      deps.heartbeats = { ...deps.heartbeats, failProvisioning: failReportedByNode };
      // Crash recovery before serving provisioning: every non-terminal session is reconciled first.
      readiness.advance('recovering');
      await lifecycle.recover();
      deps.provisioner = provisioner;
    }
    const budgets = new BudgetEnforcer({ notifier: webhooks, ledger, endSessions: async (consumerId, reason) => void (await endConsumerSessions(orm, clock, consumerId, reason)) });
    const reconciliation = new ReconciliationService({ ledger, notifier: webhooks });
    const accounting = async () => {
      await ledger.accrue(orm.em.fork(), clock.now());
      await budgets.check(orm.em.fork(), clock.now());
    };
    const tick = () =>
      inFlight.run('tick', async () => {
        await lifecycle?.tick();
        await accounting();
        await webhooks.deliverDue();
      });
    let jobs: RunningJobs | null = null;
    if (options.runLifecycle !== false) {
      // Deadlines and the provider sync run apart, so a slow listing never delays a reservation's end.
      // Singleton jobs run on one replica at a time (its lease); webhook deliveries are claimed row by row.
      const singleton = (name: string, everyMs: number, run: () => Promise<unknown>) => ({
        id: name,
        everyMs,
        run: coordination === null ? run : () => coordination.jobs.runExclusive(name, Math.max(3 * everyMs, MIN_JOB_LEASE_MS), async () => void (await run())),
      });
      jobs = startJobs(
        [
          ...(lifecycle === null ? [] : lifecycleJobs(lifecycle, { tickMs: config.tickIntervalMs, sweepMs: config.sweepIntervalMs }).map((job) => ({ ...job, ...singleton(job.id, job.everyMs, job.run) }))),
          singleton('accounting', 60_000, accounting),
          { id: 'webhooks', everyMs: 5_000, run: () => webhooks.deliverDue() },
          singleton('reconciliation', config.billingReconcileIntervalMs, () => reconciliation.run(orm.em.fork(), registry?.all() ?? [], clock.now())),
        ],
        logger,
        inFlight,
      );
    }
    // Without provider adapters (offer sources only) there is no provisioning to wait for: that
    // mode serves inventory alone and is ready once started.
    readiness.advance('ready');
    // Now, not at the start: V8's code caches are refused under other flags (see v8-tuning.ts).
    tuneV8ForServing();
    const shutdown = () =>
      closeGracefully({
        logger,
        readiness,
        app,
        jobs,
        inFlight,
        provisioner,
        closeProviders: setup?.close ?? null,
        releaseLeases: coordination === null ? null : () => coordination.releaseAll(),
        closeDatabase: async () => {
          await coordination?.databaseLocks.close().catch(() => undefined);
          await orm.close();
        },
        graceMs: config.shutdownGraceMs,
      });
    let closing: Promise<void> | null = null;
    return {
      url,
      app,
      deps,
      admin,
      simulatedProviders: setup?.simulated ?? [],
      lifecycle,
      provisioner,
      webhooks,
      ledger,
      readiness: () => readiness.report(),
      tick,
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

interface ShutdownParts {
  logger: Logger;
  readiness: Readiness;
  app: FastifyInstance;
  jobs: RunningJobs | null;
  inFlight: InFlightWork;
  provisioner: Provisioner | null;
  closeProviders: (() => Promise<void>) | null;
  /** Several replicas: hands this replica's leases back, so another takes its work over at once. */
  releaseLeases: (() => Promise<void>) | null;
  closeDatabase: () => Promise<void>;
  graceMs: number;
}

/**
 * The steps in order, each logged, all within one grace period (measured on the wall clock, not the
 * injected one). Whatever still runs when the grace is spent keeps the database open: the process
 * exits with it open, SQLite rolls back any unfinished transaction, and the next start's crash
 * recovery picks up a half-done provisioning (it matches instances by their label).
 */
async function closeGracefully(parts: ShutdownParts): Promise<void> {
  const { logger, readiness, app, jobs, inFlight, provisioner, graceMs } = parts;
  const deadline = Date.now() + graceMs;
  const left = () => Math.max(0, deadline - Date.now());
  const unfinished: string[] = [];

  readiness.advance('draining');
  logger.info(`shutdown: draining (/readyz answers 503); grace ${graceMs / 1000} s`);

  logger.info('shutdown: closing the HTTP listener; requests in progress may finish');
  const httpClosed = app.close();
  if (await settlesWithin(httpClosed, left())) {
    logger.info('shutdown: HTTP closed');
  } else {
    // Their handlers may still be running (a socket closing does not stop a handler), so they count as unfinished.
    logger.warn('shutdown: requests still in progress after the grace; closing their connections');
    unfinished.push('HTTP requests');
    app.server.closeAllConnections();
    await settlesWithin(httpClosed, 1_000);
  }

  jobs?.stop();
  inFlight.refuseNew();
  const running = inFlight.names;
  logger.info(`shutdown: scheduled jobs stopped; ${running.length === 0 ? 'none was running' : `waiting for ${running.join(', ')}`}`);
  const stillRunning = await inFlight.idle(left());
  if (stillRunning.length > 0) unfinished.push(...stillRunning);
  else if (running.length > 0) logger.info('shutdown: running jobs finished');

  if (provisioner !== null) {
    logger.info('shutdown: waiting for in-flight provisioning');
    if (await settlesWithin(provisioner.settled(), left())) logger.info('shutdown: provisioning settled');
    else unfinished.push('provisioning');
  }

  if (parts.closeProviders !== null) {
    await parts.closeProviders().catch((error: unknown) => logger.warn(`shutdown: closing the providers failed: ${error instanceof Error ? error.message : String(error)}`));
    logger.info('shutdown: providers closed');
  }

  if (parts.releaseLeases !== null && unfinished.length === 0) {
    // Only once nothing of ours still runs: a lease released under a running step would let another
    // replica start the same work beside it.
    await parts.releaseLeases().catch((error: unknown) => logger.warn(`shutdown: releasing leases failed (they expire on their own): ${error instanceof Error ? error.message : String(error)}`));
    logger.info('shutdown: leases released');
  }

  if (unfinished.length > 0) {
    const what = unfinished.join(', ');
    logger.error(`shutdown: still running after the ${graceMs / 1000} s grace: ${what}; the database is left open rather than closed under them (unfinished transactions roll back; crash recovery runs at the next start)`);
    throw new Error(`shutdown grace (${graceMs / 1000} s) spent with work still running: ${what}`);
  }
  await parts.closeDatabase();
  logger.info('shutdown: database closed');
}

/** Whether `promise` settles (either way) within `ms`; it keeps running if not. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
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
    mkdirSync(file.replace(/[/\\][^/\\]*$/, '') || '.', { recursive: true, mode: 0o700 });
    writeFileSync(file, `${id}\n`, { mode: 0o600 });
  }
  return id;
}

/** A singleton job's lease outlives three of its intervals, and never less than this. */
const MIN_JOB_LEASE_MS = 10_000;

function replicaCoordination(orm: Orm, clock: Clock, config: ServerConfig) {
  const databaseLocks = postgresAdvisoryLocks(config.databaseUrl as string);
  const jobs = new JobLeases({ orm, clock, owner: config.replicaId });
  const sessions = new SessionLeases({ orm, clock, owner: config.replicaId, ttlMs: config.leaseTtlMs });
  return {
    databaseLocks,
    jobs,
    sessions,
    releaseAll: async () => {
      await jobs.releaseAll();
      await sessions.releaseAll();
    },
  };
}
