// The consumers' side of the run: sessions planned up front (when, how long, which provider,
// workload and surface), then each one provisioned, kept for its lifetime and ended, retrying with
// the same idempotency key whenever the server gives no answer, as a careful client would.
import { randomUUID } from 'node:crypto';
import { isUsageFailure, type CliClient } from './cli-client';
import type { CreateVia, IdempotencyLedger } from './idempotency';
import type { ChaosOptions } from './options';
import type { Random } from './random';
import { ApiError, isTransient, NoAnswerError, type CreateSessionBody, type ShopperApi } from './shopper-api';
import { sleep } from './sleep';

/** GPUs both simulated marketplaces sell in quantity (packages/simulators/src/shared/gpu-catalog.ts). */
const GPUS = ['4090', '3090', 'A6000', 'L40S', '5090'] as const;
const WORKLOADS = ['batch', 'training', 'llm'] as const;
const LLM_MODEL = 'Qwen/Qwen2.5-0.5B';
const RETRY_PAUSE_MS = { min: 300, max: 1_000 };
const CLI_ATTEMPTS = 6;
const CONFLICT_RETRIES = 3;

export interface PlannedSession {
  index: number;
  startAfterMs: number;
  lifetimeMs: number;
  via: CreateVia;
  consumer: string;
  body: CreateSessionBody;
  key: string;
}

export function planSessions(options: Pick<ChaosOptions, 'sessions' | 'cliSessions' | 'durationSeconds' | 'lifetimeSeconds' | 'providers'>, random: Random, consumers: readonly string[]): PlannedSession[] {
  const cliIndexes = new Set(random.shuffle([...Array(options.sessions).keys()]).slice(0, options.cliSessions));
  // Starts spread over the first three quarters of the chaos phase, so kills find work in flight.
  const startWindowMs = options.durationSeconds * 750;
  const plans = [...Array(options.sessions).keys()].map((index): PlannedSession => {
    const workload = random.pick(WORKLOADS);
    return {
      index,
      startAfterMs: Math.round(random.between(0, startWindowMs)),
      lifetimeMs: Math.round(random.inRange(options.lifetimeSeconds) * 1000),
      via: cliIndexes.has(index) ? 'cli' : 'rest',
      consumer: consumers[index % consumers.length]!,
      body: { gpu: random.pick(GPUS), hours: 1, provider: options.providers[index % options.providers.length]!, workload, ...(workload === 'llm' ? { llmModel: LLM_MODEL } : {}) },
      key: `chaos-${index}-${randomUUID()}`,
    };
  });
  return plans.sort((a, b) => a.startAfterMs - b.startAfterMs);
}

export interface SessionOutcome {
  plan: PlannedSession;
  sessionId: string | null;
  ended: boolean;
  problem: string | null;
}

export interface WorkloadDeps {
  api: ShopperApi;
  cli: CliClient;
  /** Consumer name -> its API key. */
  keys: ReadonlyMap<string, string>;
  ledger: IdempotencyLedger;
  random: Random;
  log: (line: string) => void;
}

export class Workload {
  private readonly createWaiters = new Set<() => void>();

  constructor(private readonly deps: WorkloadDeps) {}

  /** True when a create is answered within `timeoutMs` (the kill loop times some kills on it). */
  nextCreateAnswered(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.createWaiters.delete(onCreate);
        resolve(false);
      }, timeoutMs);
      const onCreate = () => {
        clearTimeout(timer);
        this.createWaiters.delete(onCreate);
        resolve(true);
      };
      this.createWaiters.add(onCreate);
    });
  }

  /**
   * Runs every planned session from `startMs`. `endNow` aborts waiting (start times and lifetimes):
   * sessions not yet started are not started, live ones are ended at once. Nothing is retried past `giveUpAtMs()`.
   */
  run(plans: readonly PlannedSession[], startMs: number, endNow: AbortSignal, giveUpAtMs: () => number): Promise<SessionOutcome[]> {
    return Promise.all(plans.map((plan) => this.runOne(plan, startMs, endNow, giveUpAtMs)));
  }

  /** One more create with a key that was already answered: the server must answer the same session. */
  async replay(key: string): Promise<void> {
    const record = this.deps.ledger.all().find((candidate) => candidate.key === key);
    if (record === undefined) return;
    try {
      const session = await this.deps.api.createSession(this.apiKey(record.consumer), record.body, record.key);
      this.deps.ledger.answered(record.key, session.id, 'replay');
      const first = record.answers[0]?.sessionId;
      this.deps.log(`replay ${record.key}: ${session.id}${first !== undefined && first !== session.id ? ` (DIFFERENT from ${first})` : ''}`);
    } catch (error) {
      if (error instanceof NoAnswerError) this.deps.ledger.noAnswer(record.key);
      this.deps.log(`replay ${record.key}: ${(error as Error).message}`);
    }
  }

  private async runOne(plan: PlannedSession, startMs: number, endNow: AbortSignal, giveUpAtMs: () => number): Promise<SessionOutcome> {
    await sleep(startMs + plan.startAfterMs - Date.now(), endNow);
    if (endNow.aborted) return { plan, sessionId: null, ended: false, problem: 'not started: the chaos phase ended first' };
    this.deps.ledger.register(plan.key, plan.consumer, plan.body, plan.via);
    const created = plan.via === 'cli' ? await this.createViaCli(plan, giveUpAtMs) : await this.createViaRest(plan, giveUpAtMs);
    if ('problem' in created) return { plan, sessionId: null, ended: false, problem: created.problem };
    const sessionId = created.sessionId;
    for (const waiter of [...this.createWaiters]) waiter();
    this.deps.log(`session ${sessionId} created (${plan.via}, ${plan.body.provider}, ${plan.body.gpu}, ${plan.body.workload}); ends in ${(plan.lifetimeMs / 1000).toFixed(0)} s`);
    await sleep(plan.lifetimeMs, endNow);
    const ended = plan.via === 'cli' ? await this.endViaCli(plan, sessionId, giveUpAtMs) : await this.endViaRest(plan, sessionId, giveUpAtMs);
    return { plan, sessionId, ended, problem: ended ? null : 'could not end it (no answer until giving up)' };
  }

  private async createViaRest(plan: PlannedSession, giveUpAtMs: () => number): Promise<{ sessionId: string } | { problem: string }> {
    const { api, ledger } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        const session = await api.createSession(this.apiKey(plan.consumer), plan.body, plan.key);
        ledger.answered(plan.key, session.id, attempt === 1 ? 'first' : 'retry');
        return { sessionId: session.id };
      } catch (error) {
        if (error instanceof NoAnswerError) ledger.noAnswer(plan.key);
        if (!isTransient(error)) {
          const reason = error instanceof ApiError ? error.message : String(error);
          ledger.refused(plan.key, reason);
          this.deps.log(`create ${plan.key} refused: ${reason}`);
          return { problem: reason };
        }
        if (Date.now() > giveUpAtMs()) return { problem: `no answer after ${attempt} attempts: ${(error as Error).message}` };
        await sleep(this.deps.random.inRange(RETRY_PAUSE_MS));
      }
    }
  }

  private async createViaCli(plan: PlannedSession, giveUpAtMs: () => number): Promise<{ sessionId: string } | { problem: string }> {
    const { cli, ledger } = this.deps;
    for (let attempt = 1; ; attempt++) {
      const outcome = await cli.provision(this.apiKey(plan.consumer), plan.body, plan.key);
      if ('session' in outcome) {
        ledger.answered(plan.key, outcome.session.id, attempt === 1 ? 'first' : 'retry');
        return { sessionId: outcome.session.id };
      }
      const reason = `gpu-shopper provision exited ${outcome.failure.exitCode}: ${outcome.failure.stderr.trim().split('\n').at(-1) ?? ''}`;
      // The CLI cannot tell us whether the server saw the request; count it as unanswered and retry.
      ledger.noAnswer(plan.key);
      if (isUsageFailure(outcome.failure) || attempt >= CLI_ATTEMPTS || Date.now() > giveUpAtMs()) {
        ledger.refused(plan.key, reason);
        this.deps.log(`create ${plan.key} via CLI failed: ${reason}`);
        return { problem: reason };
      }
      await sleep(this.deps.random.inRange(RETRY_PAUSE_MS));
    }
  }

  private async endViaRest(plan: PlannedSession, sessionId: string, giveUpAtMs: () => number): Promise<boolean> {
    for (let conflicts = 0; ; ) {
      try {
        await this.deps.api.done(this.apiKey(plan.consumer), sessionId);
        this.deps.log(`session ${sessionId} done`);
        return true;
      } catch (error) {
        // A concurrent write to the session (a heartbeat, another replica's tick) asks for a retry;
        // a conflict that persists is the session's state (already ending), not a race.
        const raced = error instanceof ApiError && error.status === 409 && ++conflicts <= CONFLICT_RETRIES;
        if (!isTransient(error) && !raced) {
          this.deps.log(`done ${sessionId} refused: ${(error as Error).message}`);
          return false;
        }
        if (Date.now() > giveUpAtMs()) return false;
        await sleep(this.deps.random.inRange(RETRY_PAUSE_MS));
      }
    }
  }

  private async endViaCli(plan: PlannedSession, sessionId: string, giveUpAtMs: () => number): Promise<boolean> {
    for (let attempt = 1; attempt <= CLI_ATTEMPTS && Date.now() <= giveUpAtMs(); attempt++) {
      const run = await this.deps.cli.done(this.apiKey(plan.consumer), sessionId);
      if (run.exitCode === 0) {
        this.deps.log(`session ${sessionId} done (CLI)`);
        return true;
      }
      await sleep(this.deps.random.inRange(RETRY_PAUSE_MS));
    }
    // The CLI kept failing (the server was down each time): end it through REST instead.
    return this.endViaRest(plan, sessionId, giveUpAtMs);
  }

  private apiKey(consumer: string): string {
    const key = this.deps.keys.get(consumer);
    if (key === undefined) throw new Error(`no API key for consumer ${consumer}`);
    return key;
  }
}
