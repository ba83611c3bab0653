// Sightings are dated when the provider showed them: a listing asked for before our own destroy call
// must not reopen compute after it, while a later one that still shows the instance running does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { UsageEventEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import type { ProviderInstance } from '@gpu-shopper/providers';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { computeStopEstimate, goneEstimate, observeInstance } from './instance-observation';

const running: ProviderInstance = { provider: 'tensordock', instanceId: 'i-1', label: null, state: 'running', providerStatus: 'running', statusMessage: null, gpuModel: null, gpuCount: null, pricePerHourUsd: null, publicIp: null, portMappings: {}, sshHost: null, sshPort: null, startedAt: null };

describe('observeInstance', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-11-29T10:00:00.000Z');
  beforeEach(async () => {
    orm = await openTestDatabase();
  });
  afterEach(() => orm.close());

  it('ignores a running sighting from before our destroy call, and believes one from after it', async () => {
    const em = orm.em.fork();
    const row = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'observe', clock.now()), provider: 'tensordock', instanceId: 'i-1', state: 'stopping' });
    seedUsage(em, row, 'storage_started', new Date('2026-11-29T10:00:00Z'));
    seedUsage(em, row, 'compute_started', new Date('2026-11-29T10:00:00Z'));
    row.instanceSeenRunningAt = new Date('2026-11-29T10:59:50Z');
    row.destroyRequestedAt = new Date('2026-11-29T11:00:00Z');
    seedUsage(em, row, 'compute_stopped', row.destroyRequestedAt); // seen not running after the call
    await em.flush();
    const computeEvents = () => orm.em.fork().find(UsageEventEntity, { sessionId: row.id, kind: { $in: ['compute_started', 'compute_stopped'] } }, { orderBy: { id: 'asc' } });

    // A listing asked for at 10:59:59 and read after the call: what it shows predates the call.
    await observeInstance(em, row, running, new Date('2026-11-29T10:59:59Z'));
    await em.flush();
    expect((await computeEvents()).map((event) => event.kind)).toEqual(['compute_started', 'compute_stopped']);
    expect(row.instanceSeenRunningAt).toEqual(new Date('2026-11-29T10:59:50Z'));

    // Seen running after the call: the destroy did not take; compute runs again from about then.
    await observeInstance(em, row, running, new Date('2026-11-29T11:00:20Z'));
    await em.flush();
    expect((await computeEvents()).map((event) => event.kind)).toEqual(['compute_started', 'compute_stopped', 'compute_started']);
    expect(row.instanceSeenRunningAt).toEqual(new Date('2026-11-29T11:00:20Z'));
  });

  it('never moves a sighting back in time', async () => {
    const em = orm.em.fork();
    const row = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'observe-order', clock.now()), provider: 'tensordock', instanceId: 'i-1', state: 'ready' });
    seedUsage(em, row, 'compute_started', new Date('2026-11-29T10:00:00Z'));
    row.instanceSeenRunningAt = new Date('2026-11-29T10:30:00Z');
    row.instanceSeenAt = new Date('2026-11-29T10:30:00Z');
    await em.flush();
    await observeInstance(em, row, running, new Date('2026-11-29T10:29:00Z'));
    expect(row.instanceSeenRunningAt).toEqual(new Date('2026-11-29T10:30:00Z'));
    expect(row.instanceSeenAt).toEqual(new Date('2026-11-29T10:30:00Z'));
  });

  it('dates a compute start seen in a slow answer no earlier than the answer', async () => {
    const em = orm.em.fork();
    const row = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'observe-slow', clock.now()), provider: 'tensordock', instanceId: 'i-1', state: 'provisioning' });
    seedUsage(em, row, 'storage_started', new Date('2026-11-29T10:00:00Z'));
    row.instanceSeenNotRunningAt = new Date('2026-11-29T10:00:00Z'); // booting when created
    await em.flush();
    // Asked at 10:00:02, answered "running" at 10:00:06: it may have begun running at any moment up to the answer.
    await observeInstance(em, row, running, new Date('2026-11-29T10:00:02Z'), new Date('2026-11-29T10:00:06Z'));
    await em.flush();
    const started = await orm.em.fork().findOneOrFail(UsageEventEntity, { sessionId: row.id, kind: 'compute_started' });
    expect(started.at).toEqual(new Date('2026-11-29T10:00:03Z')); // halfway between the last "booting" and the answer
    expect(row.instanceSeenRunningAt).toEqual(new Date('2026-11-29T10:00:02Z')); // proof of life as of the question
  });

  it('dates a destroyed instance\'s end at our destroy call, unless it showed life after the call', () => {
    const em = orm.em.fork();
    const row = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'observe-gone', clock.now()), provider: 'tensordock', instanceId: 'i-1', state: 'stopping' });
    const at = (time: string) => new Date(`2026-11-29T${time}Z`);
    row.instanceSeenAt = at('11:00:00');
    row.lastHeartbeatAt = at('11:00:05');
    row.destroyRequestedAt = at('11:00:07');
    const seenGone = at('11:00:20');
    expect(goneEstimate(row, seenGone)).toEqual(at('11:00:07')); // the destroy took it, disk and all
    row.lastHeartbeatAt = at('11:00:09'); // the node spoke after the call: the call did not end it then
    expect(goneEstimate(row, seenGone)).toEqual(at('11:00:14.500'));
    row.lastHeartbeatAt = at('11:00:05');
    row.storagePolicy = 'preserve';
    row.endReason = 'done'; // the call was a stop: the disk outlived it
    expect(goneEstimate(row, seenGone)).toEqual(at('11:00:13.500'));
    row.destroyRequestedAt = null; // vanished on its own: halfway since the last sign of life
    expect(goneEstimate(row, seenGone)).toEqual(at('11:00:12.500'));
  });

  it('dates an instance ended unasked at its node\'s announced shutdown, unless it was seen after it', () => {
    const em = orm.em.fork();
    const row = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'observe-node-stop', clock.now()), provider: 'tensordock', instanceId: 'i-1', state: 'ready' });
    const at = (time: string) => new Date(`2026-11-29T${time}Z`);
    row.instanceSeenAt = at('11:00:00');
    row.instanceSeenRunningAt = at('11:00:00');
    row.lastHeartbeatAt = at('11:00:03');
    row.nodeStoppedAt = at('11:00:03'); // its final heartbeat: the agent was told to stop, not by us
    expect(goneEstimate(row, at('11:00:21'))).toEqual(at('11:00:03'));
    expect(computeStopEstimate(row, at('11:00:21'))).toEqual(at('11:00:03'));
    row.instanceSeenAt = at('11:00:09'); // listed after it: it outlived its agent for a while
    expect(goneEstimate(row, at('11:00:21'))).toEqual(at('11:00:15'));
  });
});
