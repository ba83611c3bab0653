// What the provider says about a session's instance, written onto the session: where it listens,
// what state it is in, and the usage meters that follow from it. The provider bills from its own
// state changes, which we only see when we look; each change is dated halfway between the last
// look that did not show it and the first that did (or at a moment we know exactly, such as the
// destroy call we made), so the ledger's error is bounded by half the observation interval.
import type { EntityManager } from '@gpu-shopper/db';
import { UsageEventEntity, type SessionRow } from '@gpu-shopper/db';
import type { ProviderInstance } from '@gpu-shopper/providers';
import { AGENT_PORT, SSH_PORT } from '../provisioning/node-spec';
import { isMeterOpen, recordUsage } from './usage';

/** Halfway between `from` (the last time something was not yet seen) and `to`; `to` without `from`. */
export function midpoint(from: Date | null | undefined, to: Date): Date {
  if (from === null || from === undefined || from.getTime() >= to.getTime()) return to;
  return new Date(Math.round((from.getTime() + to.getTime()) / 2));
}

function latest(...dates: (Date | null | undefined)[]): Date | null {
  let result: Date | null = null;
  for (const date of dates) if (date && (result === null || date > result)) result = date;
  return result;
}

/**
 * When compute started, seen running at `now`: halfway since it was last seen not running, or when
 * the node's agent started if that is known and within those bounds (the tighter proof).
 */
export function computeStartEstimate(row: SessionRow, now: Date): Date {
  const agent = agentStartBound(row, now);
  return agent ?? midpoint(row.instanceSeenNotRunningAt, now);
}

function agentStartBound(row: SessionRow, now: Date): Date | null {
  const started = row.agentStartedAt;
  if (!started || started > now) return null;
  if (row.instanceSeenNotRunningAt && started <= row.instanceSeenNotRunningAt) return null; // an older run of the node
  return started;
}

/**
 * The agent said when it started: if the open compute meter was started later than that (the
 * provider's running state was seen late), its start moves back to the agent's start.
 */
export async function refineComputeStart(em: EntityManager, row: SessionRow): Promise<void> {
  if (!row.providerInstanceId) return;
  const bound = agentStartBound(row, new Date(8.64e15));
  if (bound === null) return;
  const last = await em.findOne(UsageEventEntity, { sessionId: row.id, instanceId: row.providerInstanceId, kind: { $in: ['compute_started', 'compute_stopped'] } }, { orderBy: { id: 'desc' } });
  if (last?.kind !== 'compute_started' || last.at <= bound) return;
  const storage = await em.findOne(UsageEventEntity, { sessionId: row.id, instanceId: row.providerInstanceId, kind: 'storage_started' }, { orderBy: { id: 'desc' } });
  last.at = storage && bound < storage.at ? storage.at : bound;
}

/** Our own stop/destroy call, when we made one since the instance was last seen running. */
function ourStopCall(row: SessionRow, now: Date): Date | null {
  const call = row.destroyRequestedAt;
  return call && (!row.instanceSeenRunningAt || call >= row.instanceSeenRunningAt) && call <= now ? call : null;
}

/** The node's own word that it went down unasked, when nothing was seen of it after `since`. */
function nodeStopped(row: SessionRow, since: Date | null, now: Date): Date | null {
  const stopped = row.nodeStoppedAt;
  return stopped && stopped <= now && (since === null || since <= stopped) ? stopped : null;
}

/**
 * When compute stopped, seen not running at `now`: at our own stop/destroy call when we made one
 * since it last ran, at the node's own shutdown when it announced one, else halfway since it last ran.
 */
export function computeStopEstimate(row: SessionRow, now: Date): Date {
  const lastRan = latest(row.instanceSeenRunningAt, row.lastHeartbeatAt);
  return ourStopCall(row, now) ?? nodeStopped(row, lastRan, now) ?? midpoint(lastRan, now);
}

/** Whether the session's teardown stops its instance (its disk kept) rather than destroying it. */
export function keepsDisk(row: Pick<SessionRow, 'storagePolicy' | 'endReason'>): boolean {
  return row.storagePolicy === 'preserve' && row.endReason === 'done';
}

/**
 * When the instance stopped existing, seen gone at `now`: at our own destroy call when nothing was
 * heard from the instance after it (the provider deletes it, disk and all, when the call takes
 * effect; the call's time is already moved to the attempt that did); at the node's own shutdown when
 * it announced one and was not seen after it (the host or provider ended it); else halfway since the
 * last proof of life we have.
 */
export function goneEstimate(row: SessionRow, now: Date): Date {
  const lastSign = latest(row.instanceSeenAt, row.lastHeartbeatAt);
  const destroy = row.destroyRequestedAt;
  if (destroy && !keepsDisk(row) && destroy <= now && (lastSign === null || lastSign <= destroy)) return destroy;
  return nodeStopped(row, lastSign, now) ?? midpoint(latest(lastSign, destroy), now);
}

/**
 * Records a sighting of the session's instance (listing or read-back) and the meters it implies; the
 * caller flushes. `now` is when we asked the provider (a listing's moment, not when we read it): what
 * it shows held no earlier than that. `answeredAt` is when the answer came: a compute start seen in it
 * happened no later than that, so a slow read cannot date the start before it (default `now`).
 */
export async function observeInstance(em: EntityManager, row: SessionRow, instance: ProviderInstance, now: Date, answeredAt: Date = now): Promise<void> {
  row.instanceState = instance.state;
  const ssh = instance.sshHost !== null && instance.sshPort !== null ? { host: instance.sshHost, port: instance.sshPort } : instance.publicIp !== null && instance.portMappings[SSH_PORT] !== undefined ? { host: instance.publicIp, port: instance.portMappings[SSH_PORT] } : null;
  if (ssh !== null) {
    row.sshHost = ssh.host;
    row.sshPort = ssh.port;
  }
  const agentPort = instance.portMappings[AGENT_PORT];
  if (instance.publicIp !== null && agentPort !== undefined) row.nodeEndpoint = `http://${instance.publicIp}:${agentPort}`;
  if (instance.state === 'running') {
    // Seen running as of before our own stop/destroy call: it says nothing about after the call (the
    // listing was taken before it), so it neither reopens compute nor makes the call look ignored.
    if (row.destroyRequestedAt && now <= row.destroyRequestedAt) return;
    await recordUsage(em, row, 'compute_started', computeStartEstimate(row, answeredAt > now ? answeredAt : now));
    row.instanceSeenRunningAt = latest(row.instanceSeenRunningAt, now);
  } else {
    if (await isMeterOpen(em, row, 'compute')) await recordUsage(em, row, 'compute_stopped', computeStopEstimate(row, now));
    row.instanceSeenNotRunningAt = latest(row.instanceSeenNotRunningAt, now);
  }
  row.instanceSeenAt = latest(row.instanceSeenAt, now);
}

/** The instance is gone (not listed, confirmed): every open meter stops when it most likely went. */
export async function closeMetersAtGone(em: EntityManager, row: SessionRow, now: Date): Promise<Date> {
  const goneAt = goneEstimate(row, now);
  if (await isMeterOpen(em, row, 'compute')) await recordUsage(em, row, 'compute_stopped', ourStopCall(row, now) ?? goneAt);
  await recordUsage(em, row, 'storage_stopped', goneAt);
  row.instanceState = 'terminated';
  return goneAt;
}
