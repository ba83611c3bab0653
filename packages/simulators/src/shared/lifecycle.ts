// The instance state machine both simulators share: provisioning -> loading -> running, stop/start,
// destroy via exiting, driven by an injectable clock. Accrues billing and runs the node runtime hook.
import type { Clock } from '@gpu-shopper/domain';
import { BillingLedger } from './billing-ledger';
import type { OnInstanceRunning, SimNodeHandle, SimNodeLaunch } from '../runtime/node-runtime';

export type SimPhase = 'provisioning' | 'loading' | 'running' | 'stopping' | 'stopped' | 'exiting' | 'destroyed';

export interface SimInstance<D> {
  id: string;
  data: D;
  phase: SimPhase;
  phaseSinceMs: number;
  createdAtMs: number;
  destroyedAtMs: number | null;
  computePerHourUsd: number;
  storagePerHourUsd: number;
  /** The next scheduled phase change; null when the instance stays put (or is stuck). */
  pending: { atMs: number; to: SimPhase } | null;
  stuckLoading: boolean;
  ledger: BillingLedger;
  lastAccruedMs: number;
}

export interface LifecycleOptions<D> {
  clock: Clock;
  /** Time from create (or start) to running. 0: running at once. */
  bootDelayMs: number;
  onInstanceRunning?: OnInstanceRunning;
  /** What the node process gets for an instance that reached running. */
  launchFor: (instance: SimInstance<D>) => SimNodeLaunch;
  /** Called on every phase change (providers derive their own status fields). */
  onPhaseChange?: (instance: SimInstance<D>, from: SimPhase) => void;
}

export class InstanceLifecycle<D> {
  readonly instances = new Map<string, SimInstance<D>>();
  private readonly runtimes = new Map<string, Promise<SimNodeHandle | null>>();

  constructor(private readonly options: LifecycleOptions<D>) {}

  private get nowMs(): number {
    return this.options.clock.now().getTime();
  }

  /** Short phases (stopping, exiting, provisioning) take a fifth of the boot delay. */
  private get shortDelayMs(): number {
    return Math.round(this.options.bootDelayMs / 5);
  }

  create(id: string, data: D, pricing: { computePerHourUsd: number; storagePerHourUsd: number }, options: { stuckLoading?: boolean } = {}): SimInstance<D> {
    const now = this.nowMs;
    const instance: SimInstance<D> = {
      id,
      data,
      phase: 'provisioning',
      phaseSinceMs: now,
      createdAtMs: now,
      destroyedAtMs: null,
      ...pricing,
      pending: { atMs: now + this.shortDelayMs, to: 'loading' },
      stuckLoading: options.stuckLoading ?? false,
      ledger: new BillingLedger(),
      lastAccruedMs: now,
    };
    this.instances.set(id, instance);
    this.tick();
    return instance;
  }

  get(id: string): SimInstance<D> | undefined {
    this.tick();
    return this.instances.get(id);
  }

  /** Instances that still exist (exiting ones included: they are still listed and billed). */
  live(): SimInstance<D>[] {
    this.tick();
    return [...this.instances.values()].filter((instance) => instance.phase !== 'destroyed');
  }

  stop(id: string): boolean {
    const instance = this.get(id);
    if (!instance || instance.phase === 'destroyed' || instance.phase === 'exiting') return false;
    if (instance.phase === 'stopped' || instance.phase === 'stopping') return true;
    this.enter(instance, 'stopping', this.nowMs);
    instance.pending = { atMs: this.nowMs + this.shortDelayMs, to: 'stopped' };
    this.tick();
    return true;
  }

  start(id: string): boolean {
    const instance = this.get(id);
    if (!instance || instance.phase === 'destroyed' || instance.phase === 'exiting') return false;
    if (instance.phase !== 'stopped' && instance.phase !== 'stopping') return true;
    this.enter(instance, 'loading', this.nowMs);
    instance.pending = { atMs: this.nowMs + this.options.bootDelayMs - this.shortDelayMs, to: 'running' };
    this.tick();
    return true;
  }

  /** Starts destroying; `stuck` leaves it exiting (listed and billed) until released. */
  destroy(id: string, options: { stuck?: boolean } = {}): 'destroying' | 'already_gone' | 'unknown' {
    const instance = this.get(id);
    if (!instance) return 'unknown';
    if (instance.phase === 'destroyed') return 'already_gone';
    if (instance.phase !== 'exiting') this.enter(instance, 'exiting', this.nowMs);
    instance.pending = options.stuck ? null : { atMs: this.nowMs + this.shortDelayMs, to: 'destroyed' };
    this.tick();
    return 'destroying';
  }

  /** Lets every stuck instance move on (admin "unstick"). */
  release(): void {
    const now = this.nowMs;
    for (const instance of this.instances.values()) {
      if (instance.phase === 'exiting' && instance.pending === null) instance.pending = { atMs: now, to: 'destroyed' };
      if (instance.stuckLoading) {
        instance.stuckLoading = false;
        if (instance.phase === 'loading') instance.pending = { atMs: now, to: 'running' };
      }
    }
    this.tick();
  }

  /** Applies every phase change due by now and accrues billing up to now. */
  tick(): void {
    const now = this.nowMs;
    for (const instance of this.instances.values()) {
      if (instance.phase === 'destroyed') continue;
      while (instance.pending && instance.pending.atMs <= now) {
        const { atMs, to } = instance.pending;
        this.accrue(instance, atMs);
        instance.pending = null;
        this.enter(instance, to, atMs);
        if (to === 'loading' && !instance.stuckLoading) {
          instance.pending = { atMs: instance.createdAtMs + this.options.bootDelayMs, to: 'running' };
          if (instance.pending.atMs < atMs) instance.pending.atMs = atMs;
        }
        if (to === 'destroyed') break;
      }
      this.accrue(instance, now);
    }
  }

  /** Stops every node process (simulator shutdown). */
  async stopAllRuntimes(): Promise<void> {
    const handles = await Promise.all(this.runtimes.values());
    this.runtimes.clear();
    await Promise.all(handles.map((handle) => handle?.stop()));
  }

  private accrue(instance: SimInstance<D>, untilMs: number): void {
    if (untilMs <= instance.lastAccruedMs) return;
    const fromMs = instance.lastAccruedMs;
    instance.ledger.add('storage', fromMs, untilMs, instance.storagePerHourUsd);
    if (instance.phase === 'running') instance.ledger.add('compute', fromMs, untilMs, instance.computePerHourUsd);
    instance.lastAccruedMs = untilMs;
  }

  private enter(instance: SimInstance<D>, to: SimPhase, atMs: number): void {
    const from = instance.phase;
    if (from === to) return;
    instance.phase = to;
    instance.phaseSinceMs = atMs;
    if (to === 'destroyed') instance.destroyedAtMs = atMs;
    if (from === 'running') this.stopRuntime(instance.id);
    this.options.onPhaseChange?.(instance, from);
    if (to === 'running' && this.options.onInstanceRunning) {
      const hook = this.options.onInstanceRunning;
      this.runtimes.set(instance.id, Promise.resolve(hook(this.options.launchFor(instance))).catch(() => null));
    }
  }

  private stopRuntime(id: string): void {
    const handle = this.runtimes.get(id);
    if (!handle) return;
    this.runtimes.delete(id);
    void handle.then((resolved) => resolved?.stop());
  }
}
