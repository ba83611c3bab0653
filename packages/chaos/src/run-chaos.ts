// One chaos run, start to finish: simulators and server as processes, consumers provisioning and
// ending sessions, SIGKILLs and restarts of the server, provider faults, then the settle phase and
// the figures (invariants sampled throughout, costs against the providers' billing, duplicates).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliClient } from './cli-client';
import { FaultInjector } from './fault-injector';
import { readCostFigures } from './figures';
import { freePort } from './free-port';
import { IdempotencyLedger } from './idempotency';
import { InvariantTracker } from './invariants';
import { planKills, runKills } from './kills';
import { defaultOptions, type ChaosOptions } from './options';
import { createRandom } from './random';
import { finishResult, type ChaosResult } from './report';
import { Sampler } from './sampler';
import { BILLING_RECONCILE_SECONDS, ServerProcess } from './server-process';
import { readLeftover, settle } from './settle';
import { SimAdmin, type Provider } from './sim-admin';
import { ShopperApi } from './shopper-api';
import { startSimulatorsProcess } from './simulators-process';
import { sleep } from './sleep';
import { Supervisor } from './supervisor';
import { planSessions, Workload } from './workload';

const CONSUMERS = ['chaos-a', 'chaos-b', 'chaos-c'];
const SAMPLE_INTERVAL_MS = 500;
/** On top of the grace ticks: one sampling interval, request round trips and the simulators' exiting phase. */
const GRACE_SLACK_MS = 2_000 + SAMPLE_INTERVAL_MS;

export interface RunHooks {
  /** Progress lines (the CLI prints them with --verbose). */
  log?: (line: string) => void;
}

export async function runChaos(input: Partial<ChaosOptions> = {}, hooks: RunHooks = {}): Promise<ChaosResult> {
  const options = defaultOptions(input);
  const runStartMs = Date.now();
  const log = (line: string) => hooks.log?.(`[${((Date.now() - runStartMs) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const random = createRandom(options.seed);
  const workDir = mkdtempSync(join(tmpdir(), 'gpu-shopper-chaos-'));
  mkdirSync(join(workDir, 'server'));
  mkdirSync(join(workDir, 'cli-config'));
  const supervisor = new Supervisor();
  let injector: FaultInjector | null = null;
  let sampler: Sampler | null = null;
  const endNow = new AbortController();
  // Every planned session waits on it (start time, lifetime).
  setMaxListeners(options.sessions + 10, endNow.signal);
  try {
    log(`seed ${options.seed}; work dir ${workDir}`);
    const simulators = await startSimulatorsProcess(supervisor, { workDir, bootDelayMs: options.bootDelayMs, seed: options.seed });
    const sims: Record<Provider, SimAdmin> = { vastai: new SimAdmin('vastai', simulators.endpoints.vastai.url), tensordock: new SimAdmin('tensordock', simulators.endpoints.tensordock.url) };
    log(`simulators up: ${simulators.endpoints.vastai.url}, ${simulators.endpoints.tensordock.url}`);

    const adminKey = `chaos-admin-${randomBytes(16).toString('hex')}`;
    const server = new ServerProcess(supervisor, { workDir, port: await freePort(), adminKey, tickSeconds: options.tickSeconds, providers: simulators.endpoints, startTimeoutMs: options.startTimeoutSeconds * 1000 });
    await server.start();
    log(`server up: ${server.url}`);
    const deploymentFile = join(workDir, 'server', 'deployment-id');
    const deploymentId = existsSync(deploymentFile) ? readFileSync(deploymentFile, 'utf8').trim() : null;

    const api = new ShopperApi(server.url);
    const keys = new Map<string, string>();
    for (const consumer of CONSUMERS) keys.set(consumer, await api.createConsumerKey(adminKey, consumer));

    const graceMs = options.graceTicks * options.tickSeconds * 1000 + GRACE_SLACK_MS;
    const faults = new FaultInjector(sims, random, { faults: options.faults, faultSeconds: options.faultSeconds, timeoutLatencyMs: options.timeoutLatencyMs, deploymentId: deploymentId ?? '' }, log);
    injector = faults;
    const tracker = new InvariantTracker(graceMs, { global: () => server.downtimes, provider: (name) => faults.blindWindows(name) });
    sampler = new Sampler({ api, adminKey, sims, tracker, intervalMs: SAMPLE_INTERVAL_MS });
    sampler.start();
    faults.start();

    const ledger = new IdempotencyLedger();
    const workload = new Workload({ api, cli: new CliClient(server.url, join(workDir, 'cli-config')), keys, ledger, random, log });
    const plans = planSessions(options, random, CONSUMERS);
    let giveUpAtMs = Number.POSITIVE_INFINITY;
    const chaosStartMs = Date.now();
    const outcomes = workload.run(plans, chaosStartMs, endNow.signal, () => giveUpAtMs);

    const kills = await runKills(planKills(options, random), chaosStartMs, {
      server,
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
    const cost = await readCostFigures({ api, adminKey, sims, deploymentId, downtimes: server.downtimes, sessions: allSessions });
    const { liveSessions, liveInstances } = await readLeftover(api, adminKey, sims);

    const created = ledger.answeredRecords();
    return finishResult({
      parameters: { ...withoutOutputFlags(options), graceMs },
      kills,
      restarts: server.downtimes.length,
      serverDowntimeMs: server.totalDowntimeMs(),
      longestRestartMs: server.longestDowntimeMs(),
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
      duplicates: ledger.report(allSessions.map((session) => session.id)),
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
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

function withoutOutputFlags(options: ChaosOptions): Omit<ChaosOptions, 'json' | 'verbose' | 'keep'> {
  const { json: _json, verbose: _verbose, keep: _keep, ...rest } = options;
  return rest;
}
