// Starting a shutdown: the session goes to `stopping`, the agent learns it from its next heartbeat
// answer (and stops its jobs with a grace), and the teardown job ends the instance after that grace.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock, EndReason, StoragePolicy } from '@gpu-shopper/domain';
import { MS_PER_MINUTE, MS_PER_SECOND } from '@gpu-shopper/domain';
import type { SessionRow } from '@gpu-shopper/db';
import { transitionSession } from '../sessions/session-records';

/** How long a live agent gets to stop its jobs and send its final heartbeat before the instance goes. */
export const GRACEFUL_SHUTDOWN_MS = 90 * MS_PER_SECOND;
/** An agent heard from within this window counts as alive (worth waiting for). */
const AGENT_ALIVE_MS = 2 * MS_PER_MINUTE;

export interface ShutdownRequest {
  reason: string;
  endReason: EndReason;
  actor: string;
  storage?: StoragePolicy;
  /** Skip the graceful wait (forced shutdown, orphan). */
  immediate?: boolean;
}

/** Moves a live session to `stopping` (no-op when it already is); the caller flushes. */
export function beginShutdown(em: EntityManager, clock: Clock, row: SessionRow, request: ShutdownRequest): boolean {
  if (row.state !== 'provisioning' && row.state !== 'ready' && row.state !== 'stopped') return false;
  const now = clock.now();
  const agentAlive = row.lastHeartbeatAt !== null && row.lastHeartbeatAt !== undefined && now.getTime() - row.lastHeartbeatAt.getTime() < AGENT_ALIVE_MS;
  const wait = request.immediate || row.state === 'stopped' || !agentAlive ? 0 : GRACEFUL_SHUTDOWN_MS;
  // A preserved disk destroyed later: the stop is over, this time the instance goes for good.
  row.storagePolicy = row.state === 'stopped' ? 'destroy' : (request.storage ?? 'destroy');
  transitionSession(em, clock, row, 'stopping', { reason: request.reason, actor: request.actor, endReason: request.endReason });
  row.shutdownRequestedAt = now;
  row.teardownAttempts = 0;
  row.nextTeardownAt = new Date(now.getTime() + wait);
  return true;
}
