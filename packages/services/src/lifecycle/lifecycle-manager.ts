// The lifecycle manager: the jobs that keep every paid instance attached to a live reservation.
// Each job is idempotent, runs on its own forked entity manager and is safe to re-run after a
// crash. The server runs three of them on timers of their own: the deadline tick (`runDeadlines`),
// the provider sync (`syncWithProviders`) and the orphan sweep (`runSweep`); `tick()` runs them all
// once (tests), `recover()` reconciles with the providers before serving.
import type { EntityManager } from '@gpu-shopper/db';
import { FlushMode, OptimisticLockError } from '@mikro-orm/core';
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import { parseSessionLabel } from '@gpu-shopper/domain';
import { AlertEntity, ProvisionAttemptEntity, SessionEntity, type Orm, type SessionRow } from '@gpu-shopper/db';
import type { ProviderInstance } from '@gpu-shopper/providers';
import { ProviderError } from '@gpu-shopper/providers';
import type { AlertSink } from '../alerts/alert-service';
import { SYSTEM_ACTOR } from '../caller';
import type { ProviderRegistry } from '../provider-registry';
import { transitionSession } from '../sessions/session-records';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { DEFAULT_LIFECYCLE_POLICY, type LifecyclePolicy } from './lifecycle-options';
import { beginShutdown } from './shutdown';
import { Teardown } from './teardown';
import { recordLeftoverUsage, recordUsage } from './usage';
import { closeMetersAtGone, goneEstimate, observeInstance } from './instance-observation';
import { ProviderListingSource, type ProviderListings } from './provider-listings';
import type { SessionLeases } from '../coordination/session-leases';
import { withLogContext } from '../logging/log-context';
import { messageOf, log, type ServiceLogger } from '../logging/service-logger';

export interface LifecycleManagerOptions {
  orm: Orm;
  clock: Clock;
  providers: ProviderRegistry;
  alerts: AlertSink;
  webhooks: WebhookNotifier;
  deploymentId: string;
  /** Whether a create call for the session may still be running in this process. */
  isProvisioning?: (sessionId: string) => boolean;
  /** Rents the next offer for a session whose instance will not become ready; false when it cannot. */
  failover?: (sessionId: string, outcome: 'deadline' | 'lost' | 'failed', reason: string, stoppedAt?: Date) => Promise<boolean>;
  /** Carries on renting for a session left in provisioning with no instance (after a restart). */
  resumeProvisioning?: (sessionId: string) => void;
  policy?: Partial<LifecyclePolicy>;
  /** Each session step runs in a log context naming the session, so every line it causes says which. */
  logger?: ServiceLogger;
  /**
   * Several replicas: each session is claimed before this manager works on it, and sessions another
   * replica holds are left to it. Without it (one process), every session is this process's.
   */
  leases?: SessionLeases;
}

export interface SweepReport {
  provider: ProviderName;
  listed: number;
  orphansDestroyed: string[];
  error: string | null;
}

const TERMINAL = ['terminated', 'failed'] as const;

/** What the orphan sweep needs of the session an instance's label names. */
type LabelledSession = Pick<SessionRow, 'id' | 'state' | 'provider' | 'providerInstanceId'>;
const SWEEP_LOOKUP_BATCH = 500;
/**
 * Deadline steps (reservations, idle nodes, heartbeat loss) change only our rows: a batch of due
 * sessions is read in one query and written in one flush (one transaction, bulk statements), instead
 * of one read and one transaction per session. 1,000 heartbeats lapsing at once are ten flushes. A
 * flush is one synchronous stretch (change sets of every row, alert and event in it): 100 rows keep
 * it well under the 50 ms the event loop may be held, where 200 came close beside the provider sync.
 */
const DEADLINE_BATCH = 100;
/** Steps run between yields to the event loop while a batch is built (one raising an alert costs some tenths of a ms). */
const STEPS_PER_SLICE = 25;
/** Sessions read per page when recording sightings. */
const SIGHTING_PAGE = 1_000;
const OPTIMISTIC_RETRIES = 3;
/** How long a tick waits for the teardowns it started before moving on (they carry on regardless). */
const TEARDOWN_WAIT_MS = 2_000;

export class LifecycleManager {
  private readonly policy: LifecyclePolicy;
  private readonly teardown: Teardown;
  private lastSweepAtMs = Number.NEGATIVE_INFINITY;
  private readonly listings: ProviderListingSource;
  private readonly teardownsInFlight = new Map<string, Promise<void>>();
  private running: Promise<void> | null = null;
  private runningDeadlines: Promise<void> | null = null;
  private readonly runningSyncs = new Map<ProviderName, Promise<void>>();
  private runningReattach: Promise<void> | null = null;
  private runningSweep: Promise<void> | null = null;

  constructor(private readonly options: LifecycleManagerOptions) {
    this.policy = { ...DEFAULT_LIFECYCLE_POLICY, ...options.policy, idleAction: { ...DEFAULT_LIFECYCLE_POLICY.idleAction, ...options.policy?.idleAction } };
    this.teardown = new Teardown(options.clock, options.providers, options.alerts, options.webhooks);
    this.listings = new ProviderListingSource({ providers: options.providers, clock: options.clock, alerts: options.alerts, em: () => this.em(), alertAfterFailures: this.policy.listingFailureAlertAfter, logger: options.logger });
  }

  /**
   * Runs every job once, deadlines, the provider sync, then the orphan sweep when it is due
   * (`sweepIntervalMs`); concurrent calls share one run. The server never calls this: it runs the
   * three jobs on timers of their own, so none waits for another.
   */
  tick(): Promise<void> {
    this.running ??= (async () => {
      await this.runDeadlines();
      await this.syncWithProviders();
      if (this.options.clock.now().getTime() - this.lastSweepAtMs >= this.policy.sweepIntervalMs) await this.runSweep();
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * The jobs that need only our rows: reservation ends, idle nodes, heartbeat loss, teardowns. The
   * server runs them on their own schedule, beside the provider sync, so a slow listing (thousands of
   * instances, a provider timing out) never delays a reservation's end. Concurrent calls share a run.
   */
  runDeadlines(): Promise<void> {
    this.runningDeadlines ??= (async () => {
      await this.job('reservations', () => this.enforceReservations());
      await this.job('idle', () => this.actOnIdleNodes());
      await this.job('heartbeats', () => this.detectHeartbeatLoss());
      await this.job('teardown', () => this.advanceTeardowns());
    })().finally(() => {
      this.runningDeadlines = null;
    });
    return this.runningDeadlines;
  }

  /**
   * Provider truth: one listing per provider, every live session compared with it (level-triggered),
   * booting nodes advanced, unrecorded instances re-attached. Each provider on its own (the server
   * schedules one job per provider): a listing slowed by one provider's 429s or timeouts never
   * delays what another's shows. Without `provider`, every provider at once. Concurrent calls for a
   * provider share its run.
   */
  async syncWithProviders(provider?: ProviderName): Promise<void> {
    const configured = this.options.providers.all().map((adapter) => adapter.name);
    const names = provider === undefined ? configured : configured.filter((name) => name === provider);
    await Promise.all(names.map((name) => this.syncProvider(name)));
  }

  private syncProvider(provider: ProviderName): Promise<void> {
    let running = this.runningSyncs.get(provider);
    if (running === undefined) {
      running = (async () => {
        const listing = await this.listings.fetchProvider(provider);
        // Adoption needs every provider's word that no instance carries a label: the last listings
        // of the others, trusted for that only when asked for after the create began. The providers'
        // syncs share a run (the rows are the same).
        await this.job('reattach', () => (this.runningReattach ??= this.reattachUnrecorded(this.listings.lastKnown()).finally(() => (this.runningReattach = null))));
        await this.job('provisioning', () => this.advanceProvisioning(listing, provider));
        await this.job('reconcile', () => this.reconcileLiveSessions(listing, provider));
      })().finally(() => this.runningSyncs.delete(provider));
      this.runningSyncs.set(provider, running);
    }
    return running;
  }

  /**
   * The orphan sweep as a job of its own, on the provider sync's listing when that was asked for at
   * most `maxListingAgeMs` ago (the server passes the sweep's interval), else on one of its own.
   * Concurrent calls share a run.
   */
  runSweep(maxListingAgeMs = this.policy.sweepIntervalMs): Promise<void> {
    this.runningSweep ??= this.job('sweep', async () => {
      await this.sweepProviders(await this.listings.recent(maxListingAgeMs));
    }).finally(() => {
      this.runningSweep = null;
    });
    return this.runningSweep;
  }

  private async job(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.options.logger?.warn(`lifecycle job ${name} failed (will run again next tick): ${messageOf(error)}`, { job: name, error: messageOf(error) });
    }
  }

  private em(): EntityManager {
    return this.options.orm.em.fork();
  }

  /**
   * Each session on its own em: one bad row does not stop the others. A step that lost an optimistic
   * lock (a heartbeat wrote the row meanwhile, which busy nodes do all the time) is run again on a
   * fresh read, a few times, rather than skipped until the next tick.
   */
  private async forEachSession(where: Record<string, unknown>, step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<void> {
    await this.withClaimed(where, (ids) => this.eachClaimed(where, ids, step));
  }

  /**
   * Like forEachSession for steps that only change rows (no provider call, no flush of their own),
   * and that check for themselves that the row is still due (the batch is read by id). `due` is a
   * list of selections, each served by one (state, column) index, rather than one OR the planner
   * would answer by scanning every ready session. A batch of sessions is read at once and written in
   * one flush. A batch whose flush fails (one row lost an optimistic lock to a heartbeat, one row is
   * bad) is rolled back whole and its sessions are stepped one by one instead, each on a fresh
   * read, so nothing is done twice.
   */
  private async forEachSessionInBatches(due: readonly Record<string, unknown>[], step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<void> {
    const where = due.length === 1 ? due[0]! : { $or: [...due] };
    await this.withClaimed(due, async (ids) => {
      for (let start = 0; start < ids.length; start += DEADLINE_BATCH) {
        const batch = ids.slice(start, start + DEADLINE_BATCH);
        if (!(await this.stepBatch(batch, step))) await this.eachClaimed(where, batch, step);
        await yieldToEventLoop();
      }
    });
  }

  /** The ids of the sessions any of `selections` selects (plain rows: no entities for what may be thousands), claimed when several replicas run. */
  private async withClaimed(selections: Record<string, unknown> | readonly Record<string, unknown>[], work: (ids: readonly string[]) => Promise<void>): Promise<void> {
    const ids = new Set<string>();
    for (const where of Array.isArray(selections) ? selections : [selections]) {
      const rows = await this.em().createQueryBuilder(SessionEntity).select('id').where(where).execute<{ id: string }[]>('all', true);
      for (const row of rows) ids.add(row.id);
    }
    if (ids.size === 0) return;
    // Several replicas: only the sessions this replica holds; the others' are theirs until their leases expire.
    const claim = this.options.leases === undefined ? null : await this.options.leases.claim([...ids]);
    try {
      await work(claim === null ? [...ids] : [...ids].filter((id) => claim.ids.has(id)));
    } finally {
      await claim?.release();
    }
  }

  private async stepBatch(ids: readonly string[], step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<boolean> {
    const owner = this.options.leases?.owner;
    // Nothing flushes before the batch's one flush (a step's count of alerts would otherwise write
    // the alerts of the rows before it): the batch commits whole or not at all.
    const em = this.options.orm.em.fork({ flushMode: FlushMode.COMMIT });
    try {
      // Read under our lease, by primary key (the steps check that each row is still due).
      const rows = await em.find(SessionEntity, owner === undefined ? { id: { $in: [...ids] } } : { id: { $in: [...ids] }, lockOwner: owner });
      for (const [index, row] of rows.entries()) {
        await withLogContext({ sessionId: row.id }, () => step(em, row));
        // Steps resolve without I/O: unbroken, a whole batch of them would hold the event loop.
        if (index % STEPS_PER_SLICE === STEPS_PER_SLICE - 1) await yieldToEventLoop();
      }
      await em.flush();
      return true;
    } catch (error) {
      log(this.options.logger, 'debug', `lifecycle: a batch of ${ids.length} sessions did not commit; stepping them one by one: ${messageOf(error)}`, { error: messageOf(error) });
      return false;
    }
  }

  private async eachClaimed(where: Record<string, unknown>, ids: readonly string[], step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<void> {
    const owner = this.options.leases?.owner;
    for (const id of ids) await withLogContext({ sessionId: id }, () => this.stepOne(where, id, owner, step));
  }

  private async stepOne(where: Record<string, unknown>, id: string, owner: string | undefined, step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<void> {
    for (let tries = 1; ; tries += 1) {
      const em = this.em();
      // Read under our lease: a row another replica took over meanwhile is not ours to write. And
      // only while it still matches the selection: a step retried after losing an optimistic lock
      // to a heartbeat that made the session ready must not make it ready again.
      const row = await em.findOne(SessionEntity, owner === undefined ? { ...where, id } : { ...where, id, lockOwner: owner });
      if (row === null) break;
      try {
        await step(em, row);
        await em.flush();
        break;
      } catch (error) {
        if (error instanceof OptimisticLockError && tries < OPTIMISTIC_RETRIES) continue;
        // A provider call that failed was logged by the instrumented adapter (once, not every tick).
        log(this.options.logger, error instanceof ProviderError ? 'debug' : 'warn', `lifecycle: session ${id}: ${messageOf(error)}`, { sessionId: id, error: messageOf(error) });
        break;
      }
    }
  }

  /**
   * Booting nodes: observe the provider; ready once it runs and the agent said hello. An instance
   * that fails, vanishes or misses its deadline is destroyed and the session fails over to the next
   * offer (while attempts and the reservation allow).
   */
  async advanceProvisioning(listings?: ProviderListings, provider?: ProviderName): Promise<void> {
    const { clock } = this.options;
    const view = listings ?? (await this.listings.fetch());
    await this.forEachSession({ state: 'provisioning', providerInstanceId: { $ne: null }, ...(provider === undefined ? {} : { provider }) }, async (em, row) => {
      const now = clock.now();
      const sighting = await view.find(row.provider!, row.providerInstanceId!);
      if (sighting.kind === 'unknown') {
        if (row.provisionDeadlineAt && now >= row.provisionDeadlineAt) await this.failProvisioning(em, row, 'deadline', `not ready by ${row.provisionDeadlineAt.toISOString()} (provider state unknown: ${sighting.error})`);
        return;
      }
      const instance = sighting.kind === 'found' ? sighting.instance : null;
      if (instance === null || instance.state === 'failed' || instance.state === 'terminated') {
        const what = instance === null ? 'vanished' : instance.state;
        const reason = `the provider reports the instance ${what} before it was ready${instance?.statusMessage ? `: ${instance.statusMessage.trim()}` : ''}`;
        if (instance?.statusMessage) this.options.logger?.warn(`session ${row.id}: ${row.provider} instance ${row.providerInstanceId} ${what}: ${instance.statusMessage.trim()}`, { sessionId: row.id, provider: row.provider, instanceId: row.providerInstanceId, instanceState: what, statusMessage: instance.statusMessage.trim() });
        await this.failProvisioning(em, row, instance === null || instance.state === 'terminated' ? 'lost' : 'failed', reason, instance === null ? goneEstimate(row, now) : undefined);
        return;
      }
      // Some listings are thin (TensorDock lists id, name and status): where the node listens comes
      // from one direct read, only while a booting node's address is still unknown. What the listing
      // showed is recorded first (a "still booting" in it bounds the compute start), then the read,
      // whose "running" is dated no earlier than its answer.
      const read = row.nodeEndpoint ? null : await this.options.providers.get(row.provider!).getInstance(row.providerInstanceId!).catch(() => null);
      const listedAt = view.sightedAt(row.provider!, instance, now);
      const listedAnsweredAt = view.answeredAt(row.provider!, instance, now);
      if (read === null || read.state === instance.state) await observeInstance(em, row, read ?? instance, listedAt, listedAnsweredAt);
      else {
        await observeInstance(em, row, instance, listedAt, listedAnsweredAt);
        await observeInstance(em, row, read, now, clock.now());
      }
      if (instance.state === 'running' && row.lastHeartbeatAt && row.agentReady) {
        markReady(em, clock, row);
        await this.options.webhooks.notify('session.ready', row.consumerId, { sessionId: row.id, nodeEndpoint: row.nodeEndpoint }, { em });
        return;
      }
      if (row.provisionDeadlineAt && now >= row.provisionDeadlineAt) {
        await this.failProvisioning(em, row, 'deadline', `not ready by ${row.provisionDeadlineAt.toISOString()} (provider state: ${instance.state})`);
      }
    });
  }

  /**
   * The node of a booting session reported that it cannot become ready (its bootstrap or its LLM
   * engine failed): the attempt fails now, as at a missed deadline, rather than after it. True when
   * it did; false when the session is no longer provisioning, holds no recorded instance yet (a
   * create still committing), or another replica holds it: the node repeats its report.
   */
  async failReportedByNode(sessionId: string, reason: string): Promise<boolean> {
    let failed = false;
    await this.forEachSession({ id: sessionId, state: 'provisioning', providerInstanceId: { $ne: null } }, async (em, row) => {
      await this.failProvisioning(em, row, 'failed', reason);
      failed = true;
    });
    return failed;
  }

  /** Fails over to the next offer when possible; otherwise ends the session as a failed provision. */
  private async failProvisioning(em: EntityManager, row: SessionRow, outcome: 'deadline' | 'lost' | 'failed', reason: string, stoppedAt?: Date): Promise<void> {
    const { clock } = this.options;
    if (this.options.failover !== undefined) {
      // The failover writes the session on its own entity manager: nothing here may be flushed over it.
      em.clear();
      if (await this.options.failover(row.id, outcome, reason, stoppedAt)) return;
      const fresh = await em.findOne(SessionEntity, { id: row.id });
      if (fresh === null || fresh.state !== 'provisioning') return;
      row = fresh;
    }
    if (stoppedAt !== undefined) await closeMetersAtGone(em, row, clock.now());
    beginShutdown(em, clock, row, { reason, actor: SYSTEM_ACTOR, endReason: 'provision_failed', immediate: true });
    row.failureReason = reason;
    await this.options.webhooks.notify('session.failed', row.consumerId, { sessionId: row.id, reason }, { em });
  }

  /**
   * Level-triggered reconciliation: every session that holds an instance is compared with the
   * provider's listing. An instance that is gone, failed or stopped without us asking ends its session
   * as `lost` (alert, webhook), its meters stopped when the provider most likely ended it. A listing
   * that failed changes nothing. With `provider`, only its sessions.
   */
  async reconcileLiveSessions(listings?: ProviderListings, provider?: ProviderName): Promise<void> {
    const view = listings ?? (await this.listings.fetch());
    const changed = await this.recordUnchangedSightings(view, provider);
    for (let start = 0; start < changed.length; start += SWEEP_LOOKUP_BATCH) {
      await this.reconcileChanged(view, changed.slice(start, start + SWEEP_LOOKUP_BATCH));
    }
  }

  private async reconcileChanged(view: ProviderListings, ids: string[]): Promise<void> {
    const { clock } = this.options;
    await this.forEachSession({ id: { $in: ids }, state: { $in: ['ready', 'stopped', 'stopping'] }, providerInstanceId: { $ne: null } }, async (em, row) => {
      const now = clock.now();
      const sighting = await view.find(row.provider!, row.providerInstanceId!);
      if (sighting.kind === 'unknown') return; // never end a session on missing information
      const instance = sighting.kind === 'found' ? sighting.instance : null;
      // A listed instance is as the provider was when the listing was asked for; a confirming read is as of now.
      const seenAt = instance === null ? now : view.sightedAt(row.provider!, instance, now);
      const answeredAt = instance === null ? now : view.answeredAt(row.provider!, instance, now);
      if (row.state === 'stopping') {
        if (instance !== null && instance.state !== 'terminated') {
          await observeInstance(em, row, instance, seenAt, answeredAt);
          return;
        }
        // Confirmed gone: the session ends now, even while our own destroy call still hangs.
        await closeMetersAtGone(em, row, now);
        await this.teardown.finishGone(em, row);
        return;
      }
      if (instance === null || instance.state === 'terminated') {
        const goneAt = await closeMetersAtGone(em, row, now);
        await this.endLost(em, row, `the provider no longer has instance ${row.providerInstanceId} (ended by the provider or the host, not by us)`, goneAt);
        return;
      }
      await observeInstance(em, row, instance, seenAt, answeredAt);
      if (row.state === 'ready' && (instance.state === 'failed' || instance.state === 'stopped')) {
        const what = instance.state === 'failed' ? `exited${instance.statusMessage ? `: ${instance.statusMessage.trim()}` : ''}` : 'was stopped';
        await this.endLost(em, row, `the provider says instance ${row.providerInstanceId} ${what}, without us asking`, now);
      }
    });
  }

  /**
   * Most sessions' instances are listed just as we last saw them: for those, only when they were
   * seen is written, in a few bulk updates (a tick over 10,000 sessions stays cheap). Returns the
   * sessions whose instance changed, is missing, or needs a closer look (handled one by one).
   */
  private async recordUnchangedSightings(view: ProviderListings, provider: ProviderName | undefined): Promise<string[]> {
    const now = this.options.clock.now();
    // Unchanged sightings, per provider (each listing has its own moment): running, not running.
    const seen = new Map<ProviderName, { running: string[]; notRunning: string[] }>();
    const changed: string[] = [];
    const em = this.em();
    // Plain rows, a page at a time, yielding between pages: 10,000 sessions must not hold the event
    // loop (the deadline tick, requests and heartbeats run beside this).
    let after = '';
    for (;;) {
      const rows = await em
        .createQueryBuilder(SessionEntity)
        .select(['id', 'state', 'provider', 'providerInstanceId', 'instanceState'])
        .where({ state: { $in: ['ready', 'stopped', 'stopping'] }, providerInstanceId: { $ne: null }, id: { $gt: after }, ...(provider === undefined ? {} : { provider }) })
        .orderBy({ id: 'asc' })
        .limit(SIGHTING_PAGE)
        .execute<{ id: string; state: SessionRow['state']; provider: ProviderName; providerInstanceId: string; instanceState: string | null }[]>('all', true);
      for (const row of rows) {
        if (view.listing(row.provider).kind === 'failed') continue; // never act on missing information
        const instance = view.listed(row.provider, row.providerInstanceId);
        const settled = instance !== undefined && instance.state === row.instanceState && instance.state !== 'terminated' && !(row.state === 'ready' && (instance.state === 'failed' || instance.state === 'stopped'));
        if (!settled) {
          changed.push(row.id);
          continue;
        }
        const sightings = seen.get(row.provider) ?? { running: [], notRunning: [] };
        seen.set(row.provider, sightings);
        (instance.state === 'running' ? sightings.running : sightings.notRunning).push(row.id);
      }
      if (rows.length < SIGHTING_PAGE) break;
      after = rows[rows.length - 1]!.id;
      await yieldToEventLoop();
    }
    for (const [provider, { running, notRunning }] of seen) {
      const at = view.observedAt(provider, now);
      for (const [ids, update] of [
        [running, { instanceSeenAt: at, instanceSeenRunningAt: at }],
        [notRunning, { instanceSeenAt: at, instanceSeenNotRunningAt: at }],
      ] as const) {
        // Observation timestamps only: no version bump, nothing another writer could be overwriting.
        for (let start = 0; start < ids.length; start += SWEEP_LOOKUP_BATCH) await em.nativeUpdate(SessionEntity, { id: { $in: ids.slice(start, start + SWEEP_LOOKUP_BATCH) } }, update);
      }
    }
    return changed;
  }

  private async endLost(em: EntityManager, row: SessionRow, reason: string, endedAt: Date): Promise<void> {
    const { clock } = this.options;
    await this.options.alerts.raise(
      em,
      { kind: 'instance_lost', message: `session ${row.id}: ${reason}; ending the session`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null, detail: { reason, endedAt: endedAt.toISOString() } },
      'session.lost',
      { flush: false },
    );
    beginShutdown(em, clock, row, { reason, actor: SYSTEM_ACTOR, endReason: 'lost', immediate: true });
    row.failureReason = reason;
  }

  /** Reservation timers: warn, then end idle nodes; busy ones get a grace; the hard maximum is absolute. */
  async enforceReservations(): Promise<void> {
    const { clock } = this.options;
    const now = clock.now();
    // Only sessions with something due, each selection on a (state, column) index: a tick over
    // thousands of long reservations stays cheap, and one already warned is not read again until its end.
    const live = { $in: ['provisioning', 'ready'] };
    const due = [
      { state: 'ready', reservationEndsAt: { $lte: new Date(now.getTime() + this.policy.expiringWarningMs) }, $or: [{ expiringNotifiedAt: null }, { reservationEndsAt: { $lte: now } }] },
      { state: live, hardMaxEndsAt: { $lte: now } },
      { state: live, graceEndsAt: { $ne: null } },
    ];
    await this.forEachSessionInBatches(due, async (em, row) => {
      const now = clock.now();
      if (row.state !== 'provisioning' && row.state !== 'ready') return; // ended since it was selected
      if (now.getTime() >= row.hardMaxEndsAt.getTime() + this.policy.expiredGraceMs) {
        // Still live well past its end: it should have been ended already (the server was down, a
        // job kept failing). An orphan in the making: alert, then end it at once.
        await this.options.alerts.raise(
          em,
          { kind: 'orphan', message: `session ${row.id} is still ${row.state} ${Math.round((now.getTime() - row.hardMaxEndsAt.getTime()) / 60_000)} min past its reservation; shutting it down`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null, detail: { reason: 'past reservation' } },
          'orphan.detected',
          { flush: false },
        );
        beginShutdown(em, clock, row, { reason: 'still running past its reservation (orphan)', actor: SYSTEM_ACTOR, endReason: 'orphan', immediate: true });
        return;
      }
      if (now >= row.hardMaxEndsAt) {
        beginShutdown(em, clock, row, { reason: 'the reservation reached its hard maximum', actor: SYSTEM_ACTOR, endReason: 'expired', immediate: true });
        return;
      }
      if (row.state !== 'ready') return;
      const warnAt = row.reservationEndsAt.getTime() - this.policy.expiringWarningMs;
      if (now.getTime() >= warnAt && now < row.reservationEndsAt && !row.expiringNotifiedAt) {
        row.expiringNotifiedAt = now;
        await this.options.webhooks.notify('reservation.expiring', row.consumerId, { sessionId: row.id, reservationEndsAt: row.reservationEndsAt.toISOString() }, { em });
      }
      if (now < row.reservationEndsAt) {
        row.graceEndsAt = null; // extended during a grace: the grace is over
        return;
      }
      // A node whose agent went quiet cannot say it is busy: no grace for it.
      const silent = !row.lastHeartbeatAt || now.getTime() - row.lastHeartbeatAt.getTime() >= this.policy.heartbeatLossMs;
      if (row.agentIdle || silent) {
        beginShutdown(em, clock, row, { reason: row.agentIdle ? 'reservation ended; the node is idle' : 'reservation ended; no word from the agent', actor: SYSTEM_ACTOR, endReason: 'expired' });
        return;
      }
      if (!row.graceEndsAt) {
        row.graceEndsAt = new Date(Math.min(now.getTime() + this.policy.expiredGraceMs, row.hardMaxEndsAt.getTime()));
        await this.options.webhooks.notify('reservation.expired', row.consumerId, { sessionId: row.id, graceEndsAt: row.graceEndsAt.toISOString(), message: 'the node is busy: extend the session before the grace ends, or it will be shut down' }, { em });
        return;
      }
      if (now >= row.graceEndsAt) beginShutdown(em, clock, row, { reason: 'reservation ended and its grace period passed without an extension', actor: SYSTEM_ACTOR, endReason: 'expired' });
    });
  }

  /** The agent says the node is idle (a sustained condition, per workload): alert or shut down. */
  async actOnIdleNodes(): Promise<void> {
    const { clock } = this.options;
    await this.forEachSessionInBatches([{ state: 'ready', agentIdle: true }], async (em, row) => {
      if (row.state !== 'ready' || !row.agentIdle) return; // busy again, or ended, since it was selected
      if (this.policy.idleAction[row.workload] === 'shutdown') {
        beginShutdown(em, clock, row, { reason: `the node has been idle since ${row.agentIdleSince?.toISOString() ?? 'a while'}`, actor: SYSTEM_ACTOR, endReason: 'idle' });
        await this.options.webhooks.notify('session.idle', row.consumerId, { sessionId: row.id, action: 'shutdown' }, { em });
        return;
      }
      if (row.agentIdleSince && (await em.count(AlertEntity, { kind: 'idle', sessionId: row.id, createdAt: { $gte: row.agentIdleSince } })) === 0) {
        await this.options.alerts.raise(em, { kind: 'idle', message: `session ${row.id} is idle`, sessionId: row.id, consumerId: row.consumerId }, 'session.idle', { flush: false });
      }
    });
  }

  /**
   * A ready node that went quiet: operators and the consumer hear about it (once per silence). Only
   * silences not yet announced are read (`heartbeatAlertedAt` is cleared by the next heartbeat), so
   * nodes that stay quiet for hours cost nothing on later ticks.
   */
  async detectHeartbeatLoss(): Promise<void> {
    const { clock } = this.options;
    const quietSince = new Date(clock.now().getTime() - this.policy.heartbeatLossMs);
    const quiet = [
      { state: 'ready', lastHeartbeatAt: { $lte: quietSince }, heartbeatAlertedAt: null },
      { state: 'ready', lastHeartbeatAt: null, heartbeatAlertedAt: null },
    ];
    await this.forEachSessionInBatches(quiet, async (em, row) => {
      if (row.state !== 'ready') return; // ended since it was selected
      const lastWord = row.lastHeartbeatAt ?? row.readyAt ?? row.createdAt;
      const silentMs = clock.now().getTime() - lastWord.getTime();
      if (silentMs < this.policy.heartbeatLossMs || (row.heartbeatAlertedAt && row.heartbeatAlertedAt >= lastWord)) return;
      row.heartbeatAlertedAt = clock.now();
      await this.options.alerts.raise(
        em,
        { kind: 'heartbeat_lost', message: `session ${row.id}: no heartbeat for ${Math.round(silentMs / 60_000)} min`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null },
        'heartbeat.lost',
        { flush: false },
      );
    });
  }

  /**
   * Every due teardown runs at once, each on its own: a destroy that hangs at the provider (until the
   * adapter's timeout and retries give up) must not hold the others, nor the next ticks. The tick
   * waits a short while for them; a slow one goes on in the background and is not started twice.
   */
  async advanceTeardowns(): Promise<void> {
    const due = { state: 'stopping' as const, $or: [{ nextTeardownAt: null }, { nextTeardownAt: { $lte: this.options.clock.now() } }] };
    const ids = (await this.em().find(SessionEntity, due, { fields: ['id'] })).map((row) => row.id).filter((id) => !this.teardownsInFlight.has(id));
    const started = ids.map((id) => {
      const running = this.forEachSession({ id, state: 'stopping' }, (em, row) => this.teardown.advance(em, row)).finally(() => this.teardownsInFlight.delete(id));
      this.teardownsInFlight.set(id, running);
      return running;
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TEARDOWN_WAIT_MS);
      timer.unref?.();
    });
    await Promise.race([Promise.all(started), waited]);
    clearTimeout(timer);
  }

  /** Resolves once every teardown started so far has settled (tests, shutdown). */
  async teardownsSettled(): Promise<void> {
    await Promise.allSettled([...this.teardownsInFlight.values()]);
  }

  /**
   * Provider-side sweep: every instance of every provider whose label says it is ours (this
   * deployment) but that no live session owns is an orphan: alert and destroy. Unlabelled or
   * foreign instances are never touched; a failed or odd listing raises an alert and changes nothing.
   */
  async sweepProviders(listings?: ProviderListings): Promise<SweepReport[]> {
    this.lastSweepAtMs = this.options.clock.now().getTime();
    const view = listings ?? (await this.listings.fetch());
    const reports: SweepReport[] = [];
    for (const adapter of this.options.providers.all()) {
      const listing = view.listing(adapter.name);
      const report: SweepReport = { provider: adapter.name, listed: 0, orphansDestroyed: [], error: null };
      reports.push(report);
      if (listing.kind === 'failed') {
        report.error = listing.error;
        continue;
      }
      const instances = listing.instances;
      report.listed = instances.length;
      const sessions = await this.sessionsByLabel(instances);
      for (const [index, instance] of instances.entries()) {
        if (index % SIGHTING_PAGE === SIGHTING_PAGE - 1) await yieldToEventLoop();
        const reason = this.orphanReason(instance, sessions);
        if (reason === null) continue;
        // The listing can be up to a sweep interval old: a session's own instance may have been
        // destroyed since it was taken. That one is read directly before it is called an orphan.
        const sessionId = parseSessionLabel(instance.label)?.sessionId ?? null;
        let seen = { instance, at: view.observedAt(adapter.name, this.options.clock.now()) };
        if (sessionId !== null && sessions.get(sessionId)?.providerInstanceId === instance.instanceId) {
          const current = await adapter.getInstance(instance.instanceId).catch(() => instance);
          if (current === null || current.state === 'terminated') continue;
          seen = { instance: current, at: this.options.clock.now() };
        }
        const em = this.em();
        await this.options.alerts.raise(
          em,
          { kind: 'orphan', message: `${adapter.name} instance ${instance.instanceId} (${instance.label}) is an orphan: ${reason}; destroying it`, provider: adapter.name, instanceId: instance.instanceId, sessionId, detail: { reason } },
          'orphan.detected',
        );
        await this.chargeLeftover(em, adapter.name, seen.instance, sessions, seen.at);
        try {
          await adapter.destroyInstance(instance.instanceId);
          report.orphansDestroyed.push(instance.instanceId);
        } catch (error) {
          // Left for the next sweep: the instance still carries our label.
          // Debug: the orphan alert and the failed destroy call (the instrumented adapter) are already logged.
          log(this.options.logger, 'debug', `orphan ${adapter.name}/${instance.instanceId}: destroy failed, next sweep retries: ${messageOf(error)}`, { provider: adapter.name, instanceId: instance.instanceId, error: messageOf(error) });
        }
      }
    }
    return reports;
  }

  /**
   * A create that failed yet made an instance (its id unknown then) is found here by its label: the
   * provider bills it to us, so its cost goes to the session that made it, from the attempt's start
   * to this destroy, and the attempt learns its instance id (billing reconciliation then reads it).
   */
  private async chargeLeftover(em: EntityManager, provider: ProviderName, instance: ProviderInstance, sessions: ReadonlyMap<string, LabelledSession>, seenAt: Date): Promise<void> {
    const known = sessions.get(parseSessionLabel(instance.label)?.sessionId ?? '');
    if (known === undefined) return;
    const row = await em.findOne(SessionEntity, { id: known.id }); // the whole row: the meters need its prices
    if (row === null) return;
    const attempt =
      (await em.findOne(ProvisionAttemptEntity, { sessionId: row.id, provider, instanceId: instance.instanceId })) ??
      (await em.findOne(ProvisionAttemptEntity, { sessionId: row.id, provider, instanceId: null, outcome: 'failed' }, { orderBy: { id: 'asc' } }));
    // No attempt names it (a create cut off by a crash, or one whose leftover was misreported): it is
    // still billed to us for this session, from when the provider says it started, or the session's start.
    if (attempt !== null) attempt.instanceId = instance.instanceId;
    const providerStart = instance.startedAt === null ? null : new Date(instance.startedAt);
    const startedAt = attempt?.startedAt ?? (providerStart !== null && !Number.isNaN(providerStart.getTime()) ? providerStart : row.createdAt);
    await recordLeftoverUsage(em, row, instance.instanceId, provider, startedAt, instance.state === 'running', seenAt);
    await em.flush();
  }

  /** The sessions our labelled instances name, loaded in a few queries rather than one per instance. */
  private async sessionsByLabel(instances: readonly ProviderInstance[]): Promise<Map<string, LabelledSession>> {
    const ids = [...new Set(instances.flatMap((instance) => {
      const parsed = parseSessionLabel(instance.label);
      return parsed !== null && parsed.deploymentId === this.options.deploymentId ? [parsed.sessionId] : [];
    }))];
    const sessions = new Map<string, LabelledSession>();
    const em = this.em();
    for (let start = 0; start < ids.length; start += SWEEP_LOOKUP_BATCH) {
      // Plain rows, not entities: thousands of them every sweep, beside the deadline tick.
      const rows = await em
        .createQueryBuilder(SessionEntity)
        .select(['id', 'state', 'provider', 'providerInstanceId'])
        .where({ id: { $in: ids.slice(start, start + SWEEP_LOOKUP_BATCH) } })
        .execute<LabelledSession[]>('all', true);
      for (const row of rows) sessions.set(row.id, row);
      await yieldToEventLoop();
    }
    return sessions;
  }

  private orphanReason(instance: ProviderInstance, sessions: ReadonlyMap<string, LabelledSession>): string | null {
    const parsed = parseSessionLabel(instance.label);
    if (parsed === null || parsed.deploymentId !== this.options.deploymentId) return null;
    if (instance.state === 'terminated') return null;
    const row = sessions.get(parsed.sessionId);
    if (row === undefined) return 'no session has this id';
    if ((TERMINAL as readonly string[]).includes(row.state)) return `its session is ${row.state}`;
    if (row.providerInstanceId === instance.instanceId) return null; // owned; teardown handles stopping ones
    if (!row.providerInstanceId && row.state === 'provisioning') return null; // a create may be committing right now
    if (row.provider !== instance.provider) return null;
    return `its session owns instance ${row.providerInstanceId ?? 'none'}, not this one (a leftover of a failed attempt)`;
  }

  /**
   * Crash recovery, before serving: every non-terminal session is reconciled with its provider. A
   * session left in `provisioning` without an instance id is matched to its instance by label.
   */
  async recover(): Promise<void> {
    // Only what must precede new provisioning: sessions that may own an unrecorded instance are
    // matched to it. Everything else is level-triggered and happens on the ticks, so a restart under
    // a slow or failing provider does not keep the API from provisioning.
    await this.reattachUnrecorded(await this.listings.fetch());
  }

  /**
   * Sessions in provisioning that hold no instance id and that nothing in this process is renting
   * for (the server stopped mid-create, or the create's answer could not be written): matched to
   * their instance by label and adopted, or else their renting carries on. Run at start and on every
   * tick, so an instance is never left running for a session that does not know it.
   */
  async reattachUnrecorded(view: ProviderListings): Promise<void> {
    const { clock } = this.options;
    await this.forEachSession(UNRECORDED_INSTANCE, async (em, row) => {
      if (this.options.isProvisioning?.(row.id)) return;
      const pending = await em.find(ProvisionAttemptEntity, { sessionId: row.id, outcome: 'pending' });
      if (row.state === 'stopping' && pending.length === 0) return; // nothing can exist for it: teardown finishes it
      // Instances of attempts that already failed over are leftovers for the sweep, never adopted.
      const abandoned = new Set((await em.find(ProvisionAttemptEntity, { sessionId: row.id, outcome: { $in: ['deadline', 'lost', 'failed', 'offer_gone'] } })).flatMap((attempt) => (attempt.instanceId ? [attempt.instanceId] : [])));
      // A listing asked for before the newest create began cannot show that the create made nothing.
      const createdSinceMs = Math.max(...pending.map((attempt) => attempt.startedAt.getTime()));
      let uncertain = false;
      for (const adapter of this.options.providers.all()) {
        const listing = view.listing(adapter.name);
        if (listing.kind === 'failed') {
          uncertain = true;
          continue;
        }
        if (listing.observedAt.getTime() < createdSinceMs) uncertain = true;
        // The newest live one: older ones carrying the label are leftovers of attempts cut off earlier (the sweep's).
        const found = listing.instances.filter((instance) => instance.label === row.label && instance.state !== 'terminated' && instance.state !== 'destroying' && !abandoned.has(instance.instanceId)).at(-1);
        if (found !== undefined) {
          row.provider = adapter.name;
          row.providerInstanceId = found.instanceId;
          const attempt = await em.findOne(ProvisionAttemptEntity, { sessionId: row.id, provider: adapter.name, outcome: 'pending' }, { orderBy: { id: 'desc' } });
          if (attempt !== null) Object.assign(attempt, { instanceId: found.instanceId, outcome: 'created', finishedAt: clock.now() });
          row.provisionDeadlineAt ??= new Date(clock.now().getTime() + 15 * 60_000);
          // It was created while we were not looking: storage has run since about then.
          await recordUsage(em, row, 'storage_started', attempt?.startedAt ?? clock.now());
          row.instanceSeenNotRunningAt ??= attempt?.startedAt ?? null;
          await observeInstance(em, row, found, view.observedAt(adapter.name, clock.now()), view.answeredAt(adapter.name, found, clock.now()));
          log(this.options.logger, 'info', `session ${row.id}: adopted ${adapter.name} instance ${found.instanceId} by its label`, { sessionId: row.id, provider: adapter.name, instanceId: found.instanceId });
          return;
        }
      }
      if (uncertain) return; // cannot be sure yet: next time
      // No instance carries its label: the creates that were cut off made none.
      for (const attempt of pending) Object.assign(attempt, { outcome: 'failed', error: 'the server stopped during the create; no instance carries the session’s label', finishedAt: clock.now() });
      if (row.state === 'stopping') return;
      if (this.options.resumeProvisioning !== undefined) {
        this.options.resumeProvisioning(row.id);
        return;
      }
      transitionSession(em, clock, row, 'failed', { reason: 'interrupted before any instance was created', actor: SYSTEM_ACTOR, endReason: 'provision_failed', failureReason: 'the server stopped while provisioning; no instance exists' });
    });
  }
}

/** Sessions that may own an instance no row records (a create cut off mid-way): `reattachUnrecorded`'s. */
const UNRECORDED_INSTANCE = { state: { $in: ['provisioning', 'stopping'] as SessionRow['state'][] }, providerInstanceId: null };

/** Lets timers and I/O callbacks run between pages of a long job. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function markReady(em: EntityManager, clock: Clock, row: SessionRow): void {
  transitionSession(em, clock, row, 'ready', { reason: 'the provider runs the instance and the agent is healthy', actor: SYSTEM_ACTOR });
}
