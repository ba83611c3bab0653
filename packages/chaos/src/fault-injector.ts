// Injects provider faults through the simulators' admin API, one at a time per provider, for a
// random window each, until stopped; remembers when each provider was made blind (errors, storms,
// timeouts) so the invariants can excuse that time, and how many of each kind it injected.
import { parseSessionLabel } from '@gpu-shopper/domain';
import { drawInjection } from './fault-plans';
import type { Interval } from './intervals';
import { isLiveInstancePhase } from './invariants';
import type { FaultKind, SecondsRange } from './options';
import type { Random } from './random';
import { PROVIDERS, type Provider, type SimAdmin } from './sim-admin';
import { sleep } from './sleep';

export interface FaultInjectorOptions {
  faults: readonly FaultKind[];
  faultSeconds: SecondsRange;
  timeoutLatencyMs: number;
  /** Only instances with this deployment's labels are made to vanish. */
  deploymentId: string;
}

export class FaultInjector {
  readonly injected: Record<FaultKind, number> = { 'rate-limit': 0, 'server-error': 0, timeout: 0, 'create-errors-but-creates': 0, 'hanging-destroy': 0, vanish: 0 };
  /** Admin calls the simulators refused (e.g. an endpoint they do not have). */
  readonly failures: string[] = [];
  private readonly blind: Record<Provider, Interval[]> = { vastai: [], tensordock: [] };
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly sims: Record<Provider, SimAdmin>,
    private readonly random: Random,
    private readonly options: FaultInjectorOptions,
    private readonly log: (line: string) => void,
  ) {}

  blindWindows(provider: string): readonly Interval[] {
    return this.blind[provider as Provider] ?? [];
  }

  start(): void {
    if (this.options.faults.length === 0) return;
    // One loop per provider: their faults overlap in time, as real outages do.
    this.loops = PROVIDERS.map((provider) => this.loop(provider));
  }

  /** Ends the loops, clears every fault and releases stuck instances on both simulators. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    await this.clearAll();
  }

  async clearAll(): Promise<void> {
    for (const provider of PROVIDERS) {
      await this.sims[provider].clearFaults().catch((error: unknown) => this.fail(`clear ${provider}`, error));
      await this.sims[provider].releaseStuck().catch((error: unknown) => this.fail(`release ${provider}`, error));
    }
  }

  private async loop(provider: Provider): Promise<void> {
    const signal = this.abort.signal;
    await sleep(this.random.between(1_000, 4_000), signal);
    while (!signal.aborted) {
      const kind = this.random.pick(this.options.faults);
      await this.inject(provider, kind, signal).catch((error: unknown) => this.fail(`${kind} on ${provider}`, error));
      await sleep(this.random.between(1_000, 4_000), signal);
    }
  }

  private async inject(provider: Provider, kind: FaultKind, signal: AbortSignal): Promise<void> {
    const sim = this.sims[provider];
    const injection = drawInjection(kind, this.random, this.options);
    if (injection.kind === 'vanish') {
      const candidates = (await sim.instances()).filter((instance) => isLiveInstancePhase(instance.phase) && parseSessionLabel(instance.label)?.deploymentId === this.options.deploymentId);
      if (candidates.length === 0) return;
      const victim = this.random.pick(candidates);
      await sim.vanish(victim.id);
      this.injected.vanish += 1;
      this.log(`fault: ${provider} instance ${victim.id} (${victim.label}) vanished`);
      return;
    }
    const window: Interval = { fromMs: Date.now(), toMs: null };
    await sim.setFaults(injection.plan);
    this.injected[injection.kind] += 1;
    if (injection.blinding) this.blind[provider].push(window);
    const holdMs = this.random.inRange(this.options.faultSeconds) * 1000;
    this.log(`fault: ${provider} ${injection.description} for ${(holdMs / 1000).toFixed(1)} s`);
    await sleep(holdMs, signal);
    try {
      await sim.clearFaults();
      if (injection.releaseStuck) await sim.releaseStuck();
    } finally {
      window.toMs = Date.now() + injection.lingerMs;
    }
  }

  private fail(what: string, error: unknown): void {
    const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.failures.push(message);
    this.log(`fault injection failed: ${message}`);
  }
}
