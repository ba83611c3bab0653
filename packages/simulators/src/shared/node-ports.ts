// External ports for simulated nodes, which all run on this one machine. A port is drawn at random
// from a range below the OS's ephemeral ports and checked free by binding it: random, so simulators
// in other processes (other servers' simulations) draw other ports rather than the same seeded ones;
// below the ephemeral range, so the OS does not hand it to an outgoing connection, nor (as bind(0)
// readily does) give a just-released port to the next asker while a node is still starting. No two
// instances in this process hold the same port, and a claimed one stays bound by a placeholder
// socket until its node starts.
import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:net';

/** Where nodes listen (the agent runtime binds 127.0.0.1). */
const NODE_HOST = '127.0.0.1';
/** Linux's ephemeral ports start at 32768, macOS's and Windows' at 49152. */
const NODE_PORT_MIN = 20_000;
const NODE_PORT_MAX = 32_767;
/** Taken candidates tolerated before asking the OS for any free port instead. */
const MAX_DRAWS = 200;

/** A port number from the node range, none of `exclude` while the range has room (not checked free). */
export function drawNodePort(exclude: ReadonlySet<number>): number {
  for (let draws = 0; ; draws++) {
    const port = randomInt(NODE_PORT_MIN, NODE_PORT_MAX + 1);
    // A crowded range (a huge catalog) may repeat a port: the claim at create time still checks it.
    if ((!exclude.has(port) && !claimedInProcess.has(port)) || draws > 1_000) return port;
  }
}

/** Ports held by live simulated instances of any simulator in this process. */
const claimedInProcess = new Set<number>();

export class PortClaim {
  private released = false;

  constructor(
    readonly ports: number[],
    private placeholders: Server[],
  ) {}

  /** The node is about to start: let it bind its ports (they stay claimed). */
  unhold(): void {
    for (const placeholder of this.placeholders) placeholder.close();
    this.placeholders = [];
  }

  /** The instance is gone (or its simulator closed): the ports may be handed out again. */
  release(): void {
    this.unhold();
    if (this.released) return;
    this.released = true;
    for (const port of this.ports) claimedInProcess.delete(port);
  }
}

function listen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: NODE_HOST, exclusive: true }, () => resolve(server));
  });
}

function boundPort(server: Server): number {
  return (server.address() as { port: number }).port;
}

/** Holds `count` free ports that nothing in this process claims and none of `exclude`. */
async function holdFreshPorts(count: number, exclude: ReadonlySet<number>): Promise<Server[]> {
  const held: Server[] = [];
  const rejected: Server[] = [];
  const avoid = new Set(exclude);
  try {
    for (let draws = 0; held.length < count; draws++) {
      // Mostly a random port of the node range; if that range is crowded, whatever the OS has.
      const server = await listen(draws < MAX_DRAWS ? drawNodePort(avoid) : 0);
      if (server === null) continue;
      const port = boundPort(server);
      // A rejected OS pick stays bound until done, or the OS would offer it again at once.
      if (claimedInProcess.has(port) || avoid.has(port)) rejected.push(server);
      else held.push(server);
      avoid.add(port);
      if (draws > MAX_DRAWS + 1_000) throw new Error('no free port for a simulated node');
    }
    return held;
  } catch (error) {
    for (const server of held) server.close();
    throw error;
  } finally {
    for (const server of rejected) server.close();
  }
}

/** Claims `count` fresh free ports, held until the node starts. */
export async function claimFreePorts(count: number): Promise<PortClaim> {
  const held = await holdFreshPorts(count, new Set());
  const ports = held.map(boundPort);
  for (const port of ports) claimedInProcess.add(port);
  return new PortClaim(ports, held);
}

/** Claims exactly these ports; null (and nothing claimed) when any is taken here or on the machine. */
export async function claimPorts(ports: number[]): Promise<PortClaim | null> {
  if (new Set(ports).size !== ports.length || ports.some((port) => claimedInProcess.has(port))) return null;
  for (const port of ports) claimedInProcess.add(port);
  const held = await Promise.all(ports.map((port) => listen(port)));
  if (held.some((server) => server === null)) {
    for (const server of held) server?.close();
    for (const port of ports) claimedInProcess.delete(port);
    return null;
  }
  return new PortClaim(ports, held as Server[]);
}

/** Marks the ports of an instance restored from disk as claimed, without binding them (its node will). */
export function adoptPorts(ports: number[]): PortClaim {
  for (const port of ports) claimedInProcess.add(port);
  return new PortClaim(ports, []);
}

/** Whether a node could bind the port now (and this process has not handed it out). */
export async function isPortFree(port: number): Promise<boolean> {
  if (claimedInProcess.has(port)) return false;
  const server = await listen(port);
  if (server === null) return false;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return true;
}

/** `count` distinct ports free right now, none in `exclude`; nothing is claimed (advertising only). */
export async function pickFreePorts(count: number, exclude: ReadonlySet<number> = new Set()): Promise<number[]> {
  const held = await holdFreshPorts(count, exclude);
  const ports = held.map(boundPort);
  await Promise.all(held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}
