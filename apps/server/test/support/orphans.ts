// The invariant every fault test ends on: each instance the simulators still run (any phase short of
// destroyed) belongs to a session that is still alive in the database. Read from both sides directly.
import { expect } from 'vitest';
import { SessionEntity, type Orm } from '@gpu-shopper/db';
import type { RunningSimulators } from '@gpu-shopper/simulators';

const LIVE_STATES = ['provisioning', 'ready', 'stopping', 'stopped'] as const;

/** `provider:instanceId` of every instance the simulators have not destroyed. */
export function simulatorLiveInstances(sims: RunningSimulators): string[] {
  const vast = sims.vast.lifecycle.live().map((instance) => `vastai:${instance.id}`);
  const tensordock = sims.tensordock.lifecycle.live().map((instance) => `tensordock:${instance.id}`);
  return [...vast, ...tensordock].sort();
}

/** `provider:instanceId` owned by sessions in a non-terminal state. */
export async function liveSessionInstances(orm: Orm): Promise<string[]> {
  const rows = await orm.em.fork().find(SessionEntity, { state: { $in: [...LIVE_STATES] }, providerInstanceId: { $ne: null } });
  return rows.map((row) => `${row.provider}:${row.providerInstanceId}`).sort();
}

export async function assertZeroOrphans(sims: RunningSimulators, orm: Orm): Promise<void> {
  const owned = new Set(await liveSessionInstances(orm));
  const orphans = simulatorLiveInstances(sims).filter((key) => !owned.has(key));
  expect(orphans, 'instances running at a provider without a live session').toEqual([]);
}
