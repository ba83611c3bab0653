// TensorDock renters pick a VM's external ports from its host node's advertised free ports. Here every
// simulated node runs on this one machine, beside other simulators (other servers' simulations) with
// the same seeded catalog, so an advertised port must really be free: each run advertises its own
// random ports (not the seeded ones every simulator would share), a taken one is swapped for a free
// one whenever a single host node is read (what a renter does right before a create), and the create
// claims the ports it was given (see simulator.ts).
import { drawNodePort, isPortFree, pickFreePorts } from '../shared/node-ports';
import type { TdSimHostnode } from './catalog';

/** Gives every host node as many advertised ports as the catalog says, drawn for this run, all distinct. */
export function drawAdvertisedPorts(hostnodes: TdSimHostnode[]): void {
  const used = new Set<number>();
  for (const host of hostnodes) {
    host.availablePorts = host.availablePorts.map(() => {
      const port = drawNodePort(used);
      used.add(port);
      return port;
    });
  }
}

/** Replaces each advertised port of `host` that is not free now (or is in `taken`) with a free one. */
export async function freshenAdvertisedPorts(host: TdSimHostnode, taken: readonly number[] = []): Promise<void> {
  const advertised = [...host.availablePorts];
  const free = await Promise.all(advertised.map((port) => (taken.includes(port) ? false : isPortFree(port))));
  const stale = advertised.filter((_, index) => !free[index]);
  if (stale.length === 0) return;
  const fresh = await pickFreePorts(stale.length, new Set(host.availablePorts));
  const replacement = new Map(stale.map((port, index) => [port, fresh[index]!]));
  // Applied to the list as it is now: a create may have taken ports while we probed.
  host.availablePorts = host.availablePorts.map((port) => replacement.get(port) ?? port);
}
