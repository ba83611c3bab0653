// Samples both sides of the invariants on a timer: the server's live sessions (operator key) and
// every instance each simulator knows. A sample is taken only when all three reads answer; while
// the server is dead there is nothing to compare, and the tracker excuses that time.
import type { InstanceView, InvariantTracker, LiveSessionView } from './invariants';
import { PROVIDERS, type Provider, type SimAdmin } from './sim-admin';
import type { ShopperApi } from './shopper-api';
import { sleep } from './sleep';

export interface Snapshot {
  atMs: number;
  sessions: LiveSessionView[];
  instances: InstanceView[];
}

export class Sampler {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private latest: Snapshot | null = null;
  failedReads = 0;

  constructor(
    private readonly deps: { api: ShopperApi; adminKey: string; sims: Record<Provider, SimAdmin>; tracker: InvariantTracker; intervalMs: number },
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        await this.sampleOnce();
        await sleep(this.deps.intervalMs, this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** The last complete snapshot (the settle loop reads it). */
  lastSnapshot(): Snapshot | null {
    return this.latest;
  }

  /** One sample; false when any side did not answer. */
  async sampleOnce(): Promise<boolean> {
    const { api, adminKey, sims, tracker } = this.deps;
    try {
      // The reads are not atomic: what changes between them looks like a mismatch for one sample, which the grace absorbs.
      const instances = (await Promise.all(PROVIDERS.map(async (provider) => (await sims[provider].instances()).map((row) => ({ provider, ...row }))))).flat();
      const sessions = await api.listSessions(adminKey);
      const atMs = Date.now();
      const views = sessions.map((session) => ({ id: session.id, state: session.state, provider: session.provider, providerInstanceId: session.providerInstanceId }));
      tracker.observe(atMs, views, instances);
      this.latest = { atMs, sessions: views, instances };
      return true;
    } catch {
      this.failedReads += 1;
      return false;
    }
  }
}
