// The lifecycle's jobs at scale, on an injected clock: deadline steps in batches (each effect once,
// a batch that loses a race to a heartbeat redone row by row), the orphan sweep as a job of its own
// on the sync's listing, and a booting node ready on its first heartbeat, not at the next sync.
import { afterEach, describe, expect, it } from 'vitest';
import { MS_PER_MINUTE } from '@gpu-shopper/domain';
import { AlertEntity, SessionEntity, type Orm } from '@gpu-shopper/db';
import { raw } from '@mikro-orm/core';
import { AlertService } from '../alerts/alert-service';
import { insertSession } from '../sessions/session-records';
import { createLifecycleHarness, RecordingWebhooks, type LifecycleHarness } from '../test-support/lifecycle-harness';
import type { WebhookNotifier } from '../webhooks/webhook-notifier';
import { HeartbeatService } from './heartbeat-service';
import { LifecycleManager } from './lifecycle-manager';

/** `count` ready sessions whose agents last spoke `silentMs` ago (no instance: deadline steps need none). */
async function seedQuietSessions(h: LifecycleHarness, count: number, silentMs: number): Promise<string[]> {
  const em = h.orm.em.fork();
  const lastWord = new Date(h.clock.now().getTime() - silentMs);
  const rows = Array.from({ length: count }, () => {
    const row = insertSession(em, h.clock, { consumerId: 'con_atlas', workload: 'batch', reservationHours: 4, deploymentId: 'test', actor: 'test' });
    Object.assign(row, { state: 'ready', readyAt: lastWord, lastHeartbeatAt: lastWord });
    return row;
  });
  await em.flush();
  return rows.map((row) => row.id);
}

function manager(h: LifecycleHarness, webhooks: WebhookNotifier): LifecycleManager {
  return new LifecycleManager({ orm: h.orm, clock: h.clock, providers: h.registry, alerts: new AlertService(h.clock, webhooks, { warn: () => {} }), webhooks, deploymentId: 'test' });
}

async function heartbeatAlerts(orm: Orm): Promise<string[]> {
  return (await orm.em.fork().find(AlertEntity, { kind: 'heartbeat_lost' })).map((alert) => alert.sessionId!).sort();
}

describe('lifecycle jobs at scale', () => {
  let h: LifecycleHarness;
  afterEach(() => h?.close());

  it('announces each lapsed heartbeat once across several batches, and reads none of them again', async () => {
    h = await createLifecycleHarness();
    const ids = await seedQuietSessions(h, 450, 6 * MS_PER_MINUTE);
    const webhooks = new RecordingWebhooks();
    const lifecycle = manager(h, webhooks);
    await lifecycle.detectHeartbeatLoss();
    expect(await heartbeatAlerts(h.orm)).toEqual([...ids].sort());
    expect(webhooks.named('heartbeat.lost')).toHaveLength(450);
    h.clock.advance(MS_PER_MINUTE);
    await lifecycle.detectHeartbeatLoss();
    expect(await heartbeatAlerts(h.orm)).toHaveLength(450);
    // Still quiet, already announced: not selected at all (the tick does not grow with old silences).
    expect(await h.orm.em.fork().count(SessionEntity, { state: 'ready', heartbeatAlertedAt: null })).toBe(0);
  });

  it('redoes a batch row by row when one row lost a race, so each effect still happens once', async () => {
    h = await createLifecycleHarness();
    const ids = await seedQuietSessions(h, 30, 6 * MS_PER_MINUTE);
    const recorded = new RecordingWebhooks();
    let raced = false;
    // The first announcement is made while a heartbeat writes another row of the same batch (its version moves on).
    const racing: WebhookNotifier = {
      notify: async (event, consumerId, payload) => {
        if (!raced) {
          raced = true;
          await h.orm.em.fork().nativeUpdate(SessionEntity, { id: ids.at(-1)! }, { version: raw('version + 1') as unknown as number });
        }
        await recorded.notify(event, consumerId, payload);
      },
    };
    await manager(h, racing).detectHeartbeatLoss();
    expect(raced).toBe(true);
    expect(await heartbeatAlerts(h.orm)).toEqual([...ids].sort());
  });

  it('clears the announcement when the node speaks again, so its next silence is announced too', async () => {
    h = await createLifecycleHarness();
    const id = await h.provisionReady('batch', 4);
    h.clock.advance(6 * MS_PER_MINUTE);
    await h.lifecycle.detectHeartbeatLoss();
    expect((await h.session(id)).heartbeatAlertedAt).not.toBeNull();
    await h.heartbeat(id);
    expect((await h.session(id)).heartbeatAlertedAt ?? null).toBeNull();
  });

  it('sweeps on the provider sync’s listing when it is recent, and lists again when it is not', async () => {
    h = await createLifecycleHarness();
    const adapter = h.registry.get('vastai');
    let listings = 0;
    const list = adapter.listInstances.bind(adapter);
    adapter.listInstances = () => {
      listings += 1;
      return list();
    };
    const [offer] = await adapter.searchOffers({ diskGb: 50, gpu: '4090' });
    const ghost = await adapter.createInstance(offer!, { image: 'x', diskGb: 50, env: {}, ports: [22], bootstrapScript: 'true', sshPublicKey: null, label: 'gpu-shopper:test:ses_ghost' });
    await h.lifecycle.syncWithProviders();
    expect(listings).toBe(1);
    h.clock.advance(30_000);
    await h.lifecycle.runSweep(60_000);
    expect(listings).toBe(1); // the sync's listing, 30 s old
    expect(['exiting', 'destroyed']).toContain(h.sims.vast.lifecycle.get(ghost.instanceId)?.phase);
    expect(h.webhooks.named('orphan.detected')).toHaveLength(1);
    h.clock.advance(90_000);
    await h.lifecycle.runSweep(60_000);
    expect(listings).toBe(2);
  });

  it('makes a booting node ready on its first ready heartbeat, before any provider sync sees it running', async () => {
    h = await createLifecycleHarness();
    const id = await h.provision({ provider: 'vastai' });
    h.clock.advance(3 * MS_PER_MINUTE); // the provider has booted it; no sync has looked since the create
    expect((await h.session(id)).nodeEndpoint ?? null).toBeNull();
    const row = await h.session(id);
    const token = h.secrets.open(row.nodeTokenEncrypted!);
    const beat = { sentAt: h.clock.now().toISOString(), status: { ready: true, runningJobs: 0, maxGpuUtilizationPercent: null }, idle: { idle: false, idleSince: null, reason: 'starting' }, final: false };
    // Without the providers (as before): not ready yet, the sync will do it.
    await new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks).receive(id, token, beat);
    expect((await h.session(id)).state).toBe('provisioning');
    await new HeartbeatService(h.orm.em.fork(), h.clock, h.webhooks, h.registry).receive(id, token, beat);
    const ready = await h.session(id);
    expect(ready.state).toBe('ready');
    expect(ready.nodeEndpoint).toMatch(/^http:\/\//);
    expect(h.webhooks.named('session.ready').map((event) => event.payload)).toEqual([{ sessionId: id, nodeEndpoint: ready.nodeEndpoint }]);
    // The next sync finds nothing left to do: one ready event, one compute meter.
    await h.lifecycle.syncWithProviders();
    expect(h.webhooks.named('session.ready')).toHaveLength(1);
  });
});
