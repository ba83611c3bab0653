// Simulators with a state directory behave like providers across a restart: instances keep their phase,
// label and ports, billing keeps accruing, ids never repeat, capacity stays taken, nodes come back.
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import { createSpawnRuntime } from '../runtime/node-runtime';
import { simulatorStatePaths, startSimulators, type RunningSimulators, type StartSimulatorsOptions } from '../start-simulators';
import { adminBilling, adminInstances, call, createTdInstance, createVastInstance, tempStateDir, waitFor } from '../test-support/sim-http';

const HOUR_MS = 3_600_000;
const VAST_KEY = 'vast-key';
const TD_TOKEN = 'td-token';
const open: RunningSimulators[] = [];
const dirs: string[] = [];

async function start(stateDir: string, options: StartSimulatorsOptions): Promise<RunningSimulators> {
  const sims = await startSimulators({ seed: 7, vastOfferCount: 40, tensordockHostnodeCount: 20, vastApiKey: VAST_KEY, tensordockApiToken: TD_TOKEN, stateDir, ...options });
  open.push(sims);
  return sims;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((sims) => sims.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = tempStateDir();
  dirs.push(dir);
  return dir;
}

describe('simulators with a state directory', () => {
  it('keep instances, billing, rentals and capacity across a restart, and never repeat an id', async () => {
    const dir = stateDir();
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const first = await start(dir, { clock });
    const kept = await createVastInstance(first.vast, VAST_KEY, { label: 'kept' });
    const gone = await createVastInstance(first.vast, VAST_KEY, { label: 'gone', offerIndex: 1 });
    await call(first.vastUrl, 'DELETE', `/api/v0/instances/${gone}/`, VAST_KEY, {});
    const vm = await createTdInstance(first.tensordock, TD_TOKEN, { name: 'kept-vm' });
    const keptOfferId = first.vast.lifecycle.instances.get(kept)!.data.offer.id;
    const hostGpusLeft = first.tensordock.hostnodes.find((host) => host.id === vm.hostId)!.gpu.availableCount;
    clock.advance(HOUR_MS);
    const billingBefore = [...(await adminBilling(first.vastUrl)), ...(await adminBilling(first.tensordockUrl))];
    const portsBefore = (await adminInstances(first.vastUrl)).find((row) => row.id === kept)!.ports;
    await first.close();
    expect(JSON.parse(readFileSync(simulatorStatePaths(dir).vastai, 'utf8'))).toMatchObject({ provider: 'vastai', seed: 7 });

    const second = await start(dir, { clock });
    // The same answers as before the restart, destroyed instances included in billing.
    expect([...(await adminBilling(second.vastUrl)), ...(await adminBilling(second.tensordockUrl))]).toEqual(billingBefore);
    expect((await adminInstances(second.vastUrl)).map((row) => [row.id, row.label, row.phase])).toEqual([
      [kept, 'kept', 'running'],
      [gone, 'gone', 'destroyed'],
    ]);
    expect((await adminInstances(second.vastUrl)).find((row) => row.id === kept)!.ports).toEqual(portsBefore);
    expect((await call(second.vastUrl, 'GET', `/api/v0/instances/${kept}/`, VAST_KEY)).json.instances).toMatchObject({ actual_status: 'running', label: 'kept' });
    expect((await call(second.tensordockUrl, 'GET', `/api/v2/instances/${vm.id}`, TD_TOKEN)).status).toBe(200);
    expect(second.vast.offers.find((offer) => offer.id === keptOfferId)!.rented).toBe(true);
    expect(second.tensordock.hostnodes.find((host) => host.id === vm.hostId)!.gpu.availableCount).toBe(hostGpusLeft);

    // Billing keeps accruing for what runs; new ids continue past the old ones.
    clock.advance(HOUR_MS);
    const keptRow = (await adminBilling(second.vastUrl)).find((row) => row.instanceId === kept)!;
    expect(keptRow.computeHours).toBe(2);
    const next = await createVastInstance(second.vast, VAST_KEY, { label: 'next' });
    expect(Number(next)).toBeGreaterThan(Math.max(Number(kept), Number(gone)));
    const nextVm = await createTdInstance(second.tensordock, TD_TOKEN, { name: 'next-vm' });
    expect(nextVm.id).not.toBe(vm.id);
  });

  it('bills the time the simulator was down for an instance that was running', async () => {
    const dir = stateDir();
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const first = await start(dir, { clock });
    const id = await createVastInstance(first.vast, VAST_KEY);
    await first.close();
    clock.advance(3 * HOUR_MS);
    const second = await start(dir, { clock });
    expect((await adminBilling(second.vastUrl)).find((row) => row.instanceId === id)!.computeHours).toBe(3);
  });

  it('relaunches the node of an instance that was running, and records its process group', async () => {
    const dir = stateDir();
    const runtime = createSpawnRuntime({ command: () => ({ command: 'sleep', args: ['30'] }), mainProcess: true });
    const first = await start(dir, { onInstanceRunning: runtime });
    const id = await createVastInstance(first.vast, VAST_KEY);
    const firstPid = await waitFor(async () => (await adminInstances(first.vastUrl)).find((row) => row.id === id)?.nodePid, 'the first node');
    await first.close();
    expect(() => process.kill(firstPid, 0)).toThrow(); // stopped with the simulator

    const second = await start(dir, { onInstanceRunning: runtime });
    const secondPid = await waitFor(async () => (await adminInstances(second.vastUrl)).find((row) => row.id === id)?.nodePid, 'the relaunched node');
    expect(secondPid).not.toBe(firstPid);
    expect(() => process.kill(secondPid, 0)).not.toThrow();
    await waitFor(() => (JSON.parse(readFileSync(simulatorStatePaths(dir).vastai, 'utf8')) as { instances: { nodePgid: number | null }[] }).instances[0]!.nodePgid === secondPid, 'the state file to record the node');
  });

  it('refuses a state directory written with another seed', async () => {
    const dir = stateDir();
    await (await start(dir, {})).close();
    await expect(startSimulators({ seed: 8, vastOfferCount: 40, tensordockHostnodeCount: 20, stateDir: dir })).rejects.toThrow(/seed 7, not 8/);
  });

});
