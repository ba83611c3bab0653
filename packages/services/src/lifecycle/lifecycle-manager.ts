// The lifecycle manager: the jobs that keep every paid instance attached to a live reservation.
// Each job is idempotent, runs on its own forked entity manager and is safe to re-run after a
// crash; `tick()` runs them all, `recover()` reconciles with the providers before serving.
import type { EntityManager } from '@mikro-orm/sqlite';
import type { Clock, ProviderName } from '@gpu-shopper/domain';
import { parseSessionLabel } from '@gpu-shopper/domain';
import { AlertEntity, SessionEntity, type Orm, type SessionRow } from '@gpu-shopper/db';
import type { ProviderInstance } from '@gpu-shopper/providers';
import type { AlertSink } from '../alerts/alert-service';
import { SYSTEM_ACTOR } from '../caller';
import type { ProviderRegistry } from '../provider-registry';
import { transitionSession } from '../sessions/session-records';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { DEFAULT_LIFECYCLE_POLICY, type LifecyclePolicy } from './lifecycle-options';
import { beginShutdown } from './shutdown';
import { Teardown } from './teardown';
import { recordUsage } from './usage';
import { AGENT_PORT, SSH_PORT } from '../provisioning/node-spec';

export interface LifecycleManagerOptions {
  orm: Orm;
  clock: Clock;
  providers: ProviderRegistry;
  alerts: AlertSink;
  webhooks: WebhookNotifier;
  deploymentId: string;
  /** Whether a create call for the session may still be running in this process. */
  isProvisioning?: (sessionId: string) => boolean;
  policy?: Partial<LifecyclePolicy>;
  logger?: { warn(message: string): void };
}

export interface SweepReport {
  provider: ProviderName;
  listed: number;
  orphansDestroyed: string[];
  error: string | null;
}

const TERMINAL = ['terminated', 'failed'] as const;
const SWEEP_LOOKUP_BATCH = 500;

export class LifecycleManager {
  private readonly policy: LifecyclePolicy;
  private readonly teardown: Teardown;
  private lastSweepAtMs = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;

  constructor(private readonly options: LifecycleManagerOptions) {
    this.policy = { ...DEFAULT_LIFECYCLE_POLICY, ...options.policy, idleAction: { ...DEFAULT_LIFECYCLE_POLICY.idleAction, ...options.policy?.idleAction } };
    this.teardown = new Teardown(options.clock, options.providers, options.alerts, options.webhooks);
  }

  /** Runs every job once; concurrent calls share one run. */
  tick(): Promise<void> {
    this.running ??= this.runJobs().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runJobs(): Promise<void> {
    await this.job('provisioning', () => this.advanceProvisioning());
    await this.job('reservations', () => this.enforceReservations());
    await this.job('idle', () => this.actOnIdleNodes());
    await this.job('heartbeats', () => this.detectHeartbeatLoss());
    await this.job('teardown', () => this.advanceTeardowns());
    if (this.options.clock.now().getTime() - this.lastSweepAtMs >= this.policy.sweepIntervalMs) {
      await this.job('sweep', async () => {
        await this.sweepProviders();
      });
    }
  }

  private async job(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.options.logger?.warn(`lifecycle job ${name} failed (will run again next tick): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private em(): EntityManager {
    return this.options.orm.em.fork();
  }

  /** Each session on its own em: one bad row (or a lost optimistic lock) does not stop the others. */
  private async forEachSession(where: Record<string, unknown>, step: (em: EntityManager, row: SessionRow) => Promise<void>): Promise<void> {
    const ids = (await this.em().find(SessionEntity, where, { fields: ['id'] })).map((row) => row.id);
    for (const id of ids) {
      const em = this.em();
      const row = await em.findOne(SessionEntity, { id });
      if (row === null) continue;
      try {
        await step(em, row);
        await em.flush();
      } catch (error) {
        this.options.logger?.warn(`lifecycle: session ${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Booting nodes: observe the provider; ready once it runs and the agent said hello; a deadline. */
  async advanceProvisioning(): Promise<void> {
    const { clock } = this.options;
    await this.forEachSession({ state: 'provisioning', providerInstanceId: { $ne: null } }, async (em, row) => {
      const now = clock.now();
      const instance = await this.options.providers.get(row.provider!).getInstance(row.providerInstanceId!);
      if (instance !== null) this.observe(row, instance);
      if (instance !== null && instance.state === 'running') await recordUsage(em, row, 'compute_started', now);
      if (instance === null || instance.state === 'failed' || instance.state === 'terminated') {
        beginShutdown(em, clock, row, { reason: `the provider reports the instance ${instance === null ? 'gone' : instance.state} before it was ready`, actor: SYSTEM_ACTOR, endReason: 'provision_failed', immediate: true });
        row.failureReason = `instance ${instance === null ? 'vanished' : instance.state}${instance?.statusMessage ? `: ${instance.statusMessage}` : ''}`;
        await this.options.webhooks.notify('session.failed', row.consumerId, { sessionId: row.id, reason: row.failureReason });
        return;
      }
      if (instance.state === 'running' && row.lastHeartbeatAt && row.agentReady) {
        markReady(em, clock, row);
        await this.options.webhooks.notify('session.ready', row.consumerId, { sessionId: row.id, nodeEndpoint: row.nodeEndpoint });
        return;
      }
      if (row.provisionDeadlineAt && now >= row.provisionDeadlineAt) {
        beginShutdown(em, clock, row, { reason: 'not ready by the provisioning deadline', actor: SYSTEM_ACTOR, endReason: 'provision_failed', immediate: true });
        row.failureReason = `not ready by ${row.provisionDeadlineAt.toISOString()} (provider state: ${instance.state})`;
        await this.options.webhooks.notify('session.failed', row.consumerId, { sessionId: row.id, reason: row.failureReason });
      }
    });
  }

  /** Reservation timers: warn, then end idle nodes; busy ones get a grace; the hard maximum is absolute. */
  async enforceReservations(): Promise<void> {
    const { clock } = this.options;
    const now = clock.now();
    // Only sessions near or past their end: a tick over thousands of long reservations stays cheap.
    const window = {
      state: { $in: ['provisioning', 'ready'] },
      $or: [{ reservationEndsAt: { $lte: new Date(now.getTime() + this.policy.expiringWarningMs) } }, { hardMaxEndsAt: { $lte: now } }, { graceEndsAt: { $ne: null } }],
    };
    await this.forEachSession(window, async (em, row) => {
      const now = clock.now();
      if (now.getTime() >= row.hardMaxEndsAt.getTime() + this.policy.expiredGraceMs) {
        // Still live well past its end: it should have been ended already (the server was down, a
        // job kept failing). An orphan in the making: alert, then end it at once.
        await this.options.alerts.raise(
          em,
          { kind: 'orphan', message: `session ${row.id} is still ${row.state} ${Math.round((now.getTime() - row.hardMaxEndsAt.getTime()) / 60_000)} min past its reservation; shutting it down`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null, detail: { reason: 'past reservation' } },
          'orphan.detected',
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
        await this.options.webhooks.notify('reservation.expiring', row.consumerId, { sessionId: row.id, reservationEndsAt: row.reservationEndsAt.toISOString() });
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
        await this.options.webhooks.notify('reservation.expired', row.consumerId, { sessionId: row.id, graceEndsAt: row.graceEndsAt.toISOString(), message: 'the node is busy: extend the session before the grace ends, or it will be shut down' });
        return;
      }
      if (now >= row.graceEndsAt) beginShutdown(em, clock, row, { reason: 'reservation ended and its grace period passed without an extension', actor: SYSTEM_ACTOR, endReason: 'expired' });
    });
  }

  /** The agent says the node is idle (a sustained condition, per workload): alert or shut down. */
  async actOnIdleNodes(): Promise<void> {
    const { clock } = this.options;
    await this.forEachSession({ state: 'ready', agentIdle: true }, async (em, row) => {
      if (this.policy.idleAction[row.workload] === 'shutdown') {
        beginShutdown(em, clock, row, { reason: `the node has been idle since ${row.agentIdleSince?.toISOString() ?? 'a while'}`, actor: SYSTEM_ACTOR, endReason: 'idle' });
        await this.options.webhooks.notify('session.idle', row.consumerId, { sessionId: row.id, action: 'shutdown' });
        return;
      }
      if (row.agentIdleSince && (await em.count(AlertEntity, { kind: 'idle', sessionId: row.id, createdAt: { $gte: row.agentIdleSince } })) === 0) {
        await this.options.alerts.raise(em, { kind: 'idle', message: `session ${row.id} is idle`, sessionId: row.id, consumerId: row.consumerId }, 'session.idle');
      }
    });
  }

  /** A ready node that went quiet: operators and the consumer hear about it (once per silence). */
  async detectHeartbeatLoss(): Promise<void> {
    const { clock } = this.options;
    const quietSince = new Date(clock.now().getTime() - this.policy.heartbeatLossMs);
    const quiet = { state: 'ready', $or: [{ lastHeartbeatAt: { $lte: quietSince } }, { lastHeartbeatAt: null }] };
    await this.forEachSession(quiet, async (em, row) => {
      const lastWord = row.lastHeartbeatAt ?? row.readyAt ?? row.createdAt;
      const silentMs = clock.now().getTime() - lastWord.getTime();
      if (silentMs < this.policy.heartbeatLossMs || (row.heartbeatAlertedAt && row.heartbeatAlertedAt >= lastWord)) return;
      row.heartbeatAlertedAt = clock.now();
      await this.options.alerts.raise(
        em,
        { kind: 'heartbeat_lost', message: `session ${row.id}: no heartbeat for ${Math.round(silentMs / 60_000)} min`, sessionId: row.id, consumerId: row.consumerId, provider: row.provider ?? null, instanceId: row.providerInstanceId ?? null },
        'heartbeat.lost',
      );
    });
  }

  async advanceTeardowns(): Promise<void> {
    const due = { state: 'stopping', $or: [{ nextTeardownAt: null }, { nextTeardownAt: { $lte: this.options.clock.now() } }] };
    await this.forEachSession(due, (em, row) => this.teardown.advance(em, row));
  }

  /**
   * Provider-side sweep: every instance of every provider whose label says it is ours (this
   * deployment) but that no live session owns is an orphan: alert and destroy. Unlabelled or
   * foreign instances are never touched; a failed or odd listing raises an alert and changes nothing.
   */
  async sweepProviders(): Promise<SweepReport[]> {
    this.lastSweepAtMs = this.options.clock.now().getTime();
    const reports: SweepReport[] = [];
    for (const adapter of this.options.providers.all()) {
      const report: SweepReport = { provider: adapter.name, listed: 0, orphansDestroyed: [], error: null };
      reports.push(report);
      let instances: ProviderInstance[];
      try {
        instances = await adapter.listInstances();
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
        await this.options.alerts.raise(this.em(), { kind: 'listing_failed', message: `${adapter.name} instance listing failed; nothing was changed: ${report.error}`, provider: adapter.name }, 'provider.listing_failed');
        continue;
      }
      report.listed = instances.length;
      const sessions = await this.sessionsByLabel(instances);
      for (const instance of instances) {
        const reason = this.orphanReason(instance, sessions);
        if (reason === null) continue;
        const em = this.em();
        await this.options.alerts.raise(
          em,
          { kind: 'orphan', message: `${adapter.name} instance ${instance.instanceId} (${instance.label}) is an orphan: ${reason}; destroying it`, provider: adapter.name, instanceId: instance.instanceId, sessionId: parseSessionLabel(instance.label)?.sessionId ?? null, detail: { reason } },
          'orphan.detected',
        );
        try {
          await adapter.destroyInstance(instance.instanceId);
          report.orphansDestroyed.push(instance.instanceId);
        } catch (error) {
          // Left for the next sweep: the instance still carries our label.
          this.options.logger?.warn(`orphan ${adapter.name}/${instance.instanceId}: destroy failed, next sweep retries: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    return reports;
  }

  /** The sessions our labelled instances name, loaded in a few queries rather than one per instance. */
  private async sessionsByLabel(instances: readonly ProviderInstance[]): Promise<Map<string, SessionRow>> {
    const ids = [...new Set(instances.flatMap((instance) => {
      const parsed = parseSessionLabel(instance.label);
      return parsed !== null && parsed.deploymentId === this.options.deploymentId ? [parsed.sessionId] : [];
    }))];
    const sessions = new Map<string, SessionRow>();
    const em = this.em();
    for (let start = 0; start < ids.length; start += SWEEP_LOOKUP_BATCH) {
      for (const row of await em.find(SessionEntity, { id: { $in: ids.slice(start, start + SWEEP_LOOKUP_BATCH) } })) sessions.set(row.id, row);
    }
    return sessions;
  }

  private orphanReason(instance: ProviderInstance, sessions: ReadonlyMap<string, SessionRow>): string | null {
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
    const { clock } = this.options;
    const listings = new Map<ProviderName, ProviderInstance[] | null>();
    const listing = async (provider: ProviderName) => {
      if (!listings.has(provider)) {
        listings.set(provider, await this.options.providers.get(provider).listInstances().catch(() => null));
      }
      return listings.get(provider) ?? null;
    };
    await this.forEachSession({ state: 'provisioning', providerInstanceId: null }, async (em, row) => {
      if (this.options.isProvisioning?.(row.id)) return;
      for (const adapter of this.options.providers.all()) {
        const found = (await listing(adapter.name))?.find((instance) => instance.label === row.label && instance.state !== 'terminated');
        if (found !== undefined) {
          row.provider = adapter.name;
          row.providerInstanceId = found.instanceId;
          this.observe(row, found);
          await recordUsage(em, row, 'storage_started', clock.now());
          return;
        }
      }
      if ([...listings.values()].some((value) => value === null)) return; // cannot be sure yet: next recovery
      transitionSession(em, clock, row, 'failed', { reason: 'interrupted before any instance was created', actor: SYSTEM_ACTOR, endReason: 'provision_failed', failureReason: 'the server stopped while provisioning; no instance exists' });
    });
    await this.tick();
  }

  private observe(row: SessionRow, instance: ProviderInstance): void {
    row.instanceState = instance.state;
    const ssh = instance.sshHost !== null && instance.sshPort !== null ? { host: instance.sshHost, port: instance.sshPort } : instance.publicIp !== null && instance.portMappings[SSH_PORT] !== undefined ? { host: instance.publicIp, port: instance.portMappings[SSH_PORT] } : null;
    if (ssh !== null) {
      row.sshHost = ssh.host;
      row.sshPort = ssh.port;
    }
    const agentPort = instance.portMappings[AGENT_PORT];
    if (instance.publicIp !== null && agentPort !== undefined) row.nodeEndpoint = `http://${instance.publicIp}:${agentPort}`;
  }
}

export function markReady(em: EntityManager, clock: Clock, row: SessionRow): void {
  transitionSession(em, clock, row, 'ready', { reason: 'the provider runs the instance and the agent is healthy', actor: SYSTEM_ACTOR });
}
