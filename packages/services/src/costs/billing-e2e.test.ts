// End to end against both simulators over HTTP: sessions run, stop with a preserved disk, start again and
// are destroyed over simulated hours; usage events are written as the lifecycle observes them; the ledger
// (with a restart in the middle) must match the providers' billing ground truth within 1%.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, sessionLabel, type Offer } from '@gpu-shopper/domain';
import { CostEntryEntity, CostReconciliationEntity, openDatabase, type Orm, type SessionRow, type UsageKind } from '@gpu-shopper/db';
import { RequestBudget, TensorDockAdapter, VastAiAdapter, type InstanceSpec, type ProviderAdapter } from '@gpu-shopper/providers';
import { startSimulators, type RunningSimulators, type SimBillingRow } from '@gpu-shopper/simulators';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { LedgerService } from './ledger';
import { ReconciliationService } from './reconciliation';

const BOOT_MS = 45 * MS_PER_SECOND;
/** Not a divisor of the boot delay: "running" is observed a little late, as a real poller does. */
const POLL_MS = 20 * MS_PER_SECOND;
const VAST_KEY = 'vast-ledger-key';
const TD_TOKEN = 'td-ledger-token';

interface Tracked {
  row: SessionRow;
  adapter: ProviderAdapter;
  computeOpen: boolean;
  storageOpen: boolean;
}

const clock = new ManualClock('2026-03-01T00:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-billing-'));
const dbPath = join(dir, 'billing.db');
let sims: RunningSimulators;
let orm: Orm;
let vast: VastAiAdapter;
let tensordock: TensorDockAdapter;
const tracked: Tracked[] = [];

beforeAll(async () => {
  sims = await startSimulators({ clock, bootDelayMs: BOOT_MS, vastOfferCount: 150, tensordockHostnodeCount: 40, vastApiKey: VAST_KEY, tensordockApiToken: TD_TOKEN });
  const common = { clock, timeoutMs: 2_000, retry: { sleep: async () => {}, maxAttempts: 2 }, budget: RequestBudget.unlimited() };
  vast = new VastAiAdapter({ ...common, apiKey: VAST_KEY, baseUrl: sims.vastUrl });
  tensordock = new TensorDockAdapter({ ...common, apiKey: TD_TOKEN, baseUrl: sims.tensordockUrl });
  orm = await openDatabase({ dbPath });
});
afterAll(async () => {
  await orm.close();
  await sims.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the lead's lifecycle does: write a usage event when it first sees a change. */
async function record(session: Tracked, kind: UsageKind): Promise<void> {
  const em = orm.em.fork();
  seedUsage(em, session.row, kind, clock.now());
  await em.flush();
  if (kind === 'compute_started') session.computeOpen = true;
  if (kind === 'compute_stopped') session.computeOpen = false;
  if (kind === 'storage_stopped') session.storageOpen = false;
}

async function observe(): Promise<void> {
  for (const session of tracked) {
    if (!session.storageOpen) continue;
    const instance = await session.adapter.getInstance(session.row.providerInstanceId!);
    if (instance === null || instance.state === 'terminated') await record(session, 'storage_stopped');
    else if (instance.state === 'running' && !session.computeOpen) await record(session, 'compute_started');
  }
}

/** Lets time pass while the poller runs: short polls right after an action, then coarse steps. */
async function pass(ms: number): Promise<void> {
  let leftMs = ms;
  for (let n = 0; n < 6 && leftMs > 0; n++) {
    clock.advance(Math.min(POLL_MS, leftMs));
    leftMs -= POLL_MS;
    await observe();
  }
  while (leftMs > 0) {
    clock.advance(Math.min(10 * MS_PER_MINUTE, leftMs));
    leftMs -= 10 * MS_PER_MINUTE;
    await observe();
  }
}

async function launch(adapter: ProviderAdapter, offer: Offer, consumerName: string): Promise<Tracked> {
  const em = orm.em.fork();
  const row = seedPricedSession(em, clock, {
    consumerId: seedConsumer(em, consumerName, clock.now()),
    provider: offer.provider,
    gpuModel: offer.gpuModel,
    computePerHourUsd: offer.priceBreakdown.computePerHourUsd,
    storagePerHourUsd: offer.priceBreakdown.storagePerHourUsd,
  });
  const spec: InstanceSpec = { image: 'ubuntu2404', diskGb: 100, env: {}, ports: [8000], bootstrapScript: 'true', sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest ledger@test', label: sessionLabel('ledger', row.id) };
  const instance = await adapter.createInstance(offer, spec);
  row.providerInstanceId = instance.instanceId;
  await em.flush();
  const session: Tracked = { row, adapter, computeOpen: false, storageOpen: true };
  await record(session, 'storage_started');
  tracked.push(session);
  return session;
}

async function stop(session: Tracked): Promise<void> {
  await session.adapter.stopInstance(session.row.providerInstanceId!);
  await record(session, 'compute_stopped');
}

async function destroy(session: Tracked): Promise<void> {
  await session.adapter.destroyInstance(session.row.providerInstanceId!);
  if (session.computeOpen) await record(session, 'compute_stopped');
}

async function groundTruth(url: string): Promise<SimBillingRow[]> {
  const response = await fetch(`${url}/__admin/billing`);
  return ((await response.json()) as { billing: SimBillingRow[] }).billing;
}

async function ledgerMicros(sessionId: string): Promise<number> {
  const rows = await orm.em.fork().find(CostEntryEntity, { sessionId });
  return rows.reduce((sum, row) => sum + row.costMicros, 0);
}

describe('the ledger against both providers’ billing', () => {
  it('matches ground truth within 1% per session and in total, through running, stopped and destroyed, across a restart', async () => {
    const vastOffers = await vast.searchOffers({ diskGb: 100, limit: 20 });
    const tdOffers = (await tensordock.searchOffers({ diskGb: 100 })).filter((offer) => offer.gpuCount === 1);
    const vastLong = await launch(vast, vastOffers[0]!, 'e2e-vast-long');
    const vastShort = await launch(vast, vastOffers[1]!, 'e2e-vast-short');
    const tdLong = await launch(tensordock, tdOffers[0]!, 'e2e-td-long');
    const tdShort = await launch(tensordock, tdOffers[1]!, 'e2e-td-short');

    await pass(90 * MS_PER_MINUTE);
    await destroy(vastShort);
    await destroy(tdShort);
    await pass(30 * MS_PER_MINUTE);
    await stop(vastLong);
    await stop(tdLong);
    await pass(MS_PER_HOUR);
    await new LedgerService().accrue(orm.em.fork(), clock.now());

    // Restart: the server is down for 40 minutes while the disks keep costing, then starts afresh on the same file.
    await orm.close();
    clock.advance(40 * MS_PER_MINUTE);
    orm = await openDatabase({ dbPath });
    const ledger = new LedgerService();
    await pass(2 * MS_PER_HOUR);
    for (const session of [vastLong, tdLong]) await session.adapter.startInstance(session.row.providerInstanceId!);
    await pass(75 * MS_PER_MINUTE);
    await ledger.accrue(orm.em.fork(), clock.now());
    await destroy(vastLong);
    await destroy(tdLong);
    await pass(5 * MS_PER_MINUTE);
    expect(tracked.every((session) => !session.storageOpen)).toBe(true);
    await ledger.accrue(orm.em.fork(), clock.now());

    const truth = new Map([...(await groundTruth(sims.vastUrl)), ...(await groundTruth(sims.tensordockUrl))].map((row) => [row.instanceId, row]));
    let ledgerTotal = 0;
    let truthTotal = 0;
    for (const session of tracked) {
      const billed = truth.get(session.row.providerInstanceId!)!;
      const ours = (await ledgerMicros(session.row.id)) / 1e6;
      expect(billed.totalUsd).toBeGreaterThan(0);
      expect(Math.abs(ours - billed.totalUsd) / billed.totalUsd, `${session.row.provider} ${session.row.id}: ours ${ours} vs ${billed.totalUsd}`).toBeLessThan(0.01);
      ledgerTotal += ours;
      truthTotal += billed.totalUsd;
    }
    expect(Math.abs(ledgerTotal - truthTotal) / truthTotal).toBeLessThan(0.01);
    // The long sessions billed their preserved disk while stopped (and while we were down).
    expect(truth.get(vastLong.row.providerInstanceId!)!.storageHours).toBeGreaterThan(truth.get(vastLong.row.providerInstanceId!)!.computeHours);

    // Reconciliation reads Vast's /charges through the adapter and finds no drift; TensorDock has no billing endpoint.
    const reconciliation = new ReconciliationService({ ledger });
    const run = await reconciliation.run(orm.em.fork(), [vast, tensordock], clock.now());
    expect(run.failures).toEqual([]);
    expect(run.results.map((result) => result.sessionId).sort()).toEqual([vastLong.row.id, vastShort.row.id].sort());
    for (const result of run.results) {
      expect(result.drift).toBe(false);
      expect(Math.abs(result.differenceRatio!)).toBeLessThan(0.01);
    }
    // Both sessions ended and are reconciled: the next run has nothing left to check.
    expect((await reconciliation.run(orm.em.fork(), [vast], clock.now())).results).toEqual([]);
    expect(await orm.em.fork().count(CostReconciliationEntity, {})).toBe(2);
  });
});
