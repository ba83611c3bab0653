// Node ports are free ports of this machine: two simulators in one process (two simulation-mode
// servers) never hand out the same one, and a TensorDock port taken on the machine is never advertised
// or forwarded.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulators, type RunningSimulators } from '../start-simulators';
import { adminInstances, call, createTdInstance, createVastInstance } from '../test-support/sim-http';
import { claimFreePorts, isPortFree } from './node-ports';

const open: RunningSimulators[] = [];
const blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sims) => sims.close()));
  for (const blocker of blockers.splice(0)) blocker.close();
});

async function twin(): Promise<RunningSimulators> {
  // The same seed for both: the same catalog, the same cheapest offer, as two servers on one machine see.
  const sims = await startSimulators({ seed: 3, vastOfferCount: 30, tensordockHostnodeCount: 10 });
  open.push(sims);
  return sims;
}

function block(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
    blockers.push(server);
  });
}

describe('node ports', () => {
  it('differ between two simulators in one process, on both providers', async () => {
    const [a, b] = [await twin(), await twin()];
    const vastA = await createVastInstance(a.vast, 'k');
    const vastB = await createVastInstance(b.vast, 'k');
    expect(vastA).toBe(vastB); // same seed, same ids: only the ports must differ
    const portsOf = async (sims: RunningSimulators) => [...(await adminInstances(sims.vastUrl)), ...(await adminInstances(sims.tensordockUrl))].flatMap((row) => Object.values(row.ports));
    const vmA = await createTdInstance(a.tensordock, 't');
    const vmB = await createTdInstance(b.tensordock, 't', { hostId: vmA.hostId });
    const [portsA, portsB] = [await portsOf(a), await portsOf(b)];
    expect(portsA).toHaveLength(4);
    expect(portsB).toHaveLength(4);
    expect(portsA.filter((port) => portsB.includes(port))).toEqual([]);
    expect(vmB.externalPorts.filter((port) => vmA.externalPorts.includes(port))).toEqual([]);
    // Vast shows them as Docker HostPorts once running.
    const shown = (await call(a.vastUrl, 'GET', `/api/v0/instances/${vastA}/`, 'k')).json.instances as { ports: Record<string, { HostPort: string }[]> };
    expect(Number(shown.ports['8787/tcp']![0]!.HostPort)).toBe((await adminInstances(a.vastUrl))[0]!.ports[8787]);
  });

  it('never advertises a TensorDock port that is taken on the machine, and refuses a create on one', async () => {
    const sims = await twin();
    const host = sims.tensordock.hostnodes.find((candidate) => candidate.gpu.availableCount > 0 && candidate.availablePorts.length >= 2)!;
    const [taken] = host.availablePorts;
    if (await isPortFree(taken!)) await block(taken!);
    const read = await call(sims.tensordockUrl, 'GET', `/api/v2/hostnodes/${host.id}`, 't');
    const advertised = (read.json.data as { available_resources: { available_ports: number[] } }).available_resources.available_ports;
    expect(advertised).not.toContain(taken);
    expect(advertised).toHaveLength(host.availablePorts.length);

    // A renter that read the list before the port was taken: the host cannot forward it.
    const stalePort = advertised[0]!;
    await block(stalePort);
    const created = await call(sims.tensordockUrl, 'POST', '/api/v2/instances', 't', {
      data: {
        attributes: {
          name: 'late',
          hostnode_id: host.id,
          ssh_key: 'ssh-ed25519 AAAA test',
          resources: { vcpu_count: 2, ram_gb: 4, storage_gb: 100, gpus: { [host.gpu.model.tensordockName]: { count: 1 } } },
          port_forwards: [{ internal_port: 22, external_port: stalePort }],
        },
      },
    });
    expect(created).toMatchObject({ status: 200, json: { error: 'Hostnode unavailable' } });
    expect(host.availablePorts).not.toContain(stalePort);
    expect(host.gpu.availableCount).toBeGreaterThan(0);
    expect(sims.tensordock.lifecycle.live()).toEqual([]);
  });

  it('holds a claimed port until the node is about to start', async () => {
    const claim = await claimFreePorts(2);
    const [port] = claim.ports;
    expect(await isPortFree(port!)).toBe(false);
    claim.unhold();
    expect(await isPortFree(port!)).toBe(false); // bindable now, but still this process's
    claim.release();
    expect(await isPortFree(port!)).toBe(true);
  });
});
