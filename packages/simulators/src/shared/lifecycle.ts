// The instance state machine both simulators share: provisioning -> loading -> running, stop/start,
// destroy via exiting, a container that exits on its own (failed), and the provider acting behind the
// renter's back (vanish). Driven by an injectable clock; accrues billing and runs the node runtime hook.
import type { Clock } from '@gpu-shopper/domain';
import { BillingLedger } from './billing-ledger';
import type { OnInstanceRunning, SimNodeHandle, SimNodeLaunch } from '../runtime/node-runtime';

export type SimPhase = 'provisioning' | 'loading' | 'running' | 'failed' | 'stopping' | 'stopped' | 'exiting' | 'destroyed';

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
  /** Why the container exited (phase failed): its node's last output, or what the admin said. */
  statusMessage: string | null;
  /** The node's process group while one runs; a restarted simulator kills one left behind. */
  nodePgid: number | null;
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
  /**
   * Something a state file must keep changed: a create, a phase, a node started or ended. `urgent`
   * when a node process just started: its process group must be on disk before a crash could orphan it.
   */
  onChange?: (instance: SimInstance<D>, urgent: boolean) => void;
  /** The simulator's log (a node that died or could not start); prefixed with `name`. */
  log?: (message: string) => void;
  name?: string;
}

/** Phases in which the container is (about to be) up: only these can exit. */
const CAN_EXIT: readonly SimPhase[] = ['provisioning', 'loading', 'running'];

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
      statusMessage: null,
      nodePgid: null,
    };
    this.instances.set(id, instance);
    this.options.onChange?.(instance, false);
    this.tick();
    return instance;
  }

  /** Puts back instances read from a state file, as they were; `resumeNodes` restarts their nodes. */
  restore(instances: SimInstance<D>[]): void {
    for (const instance of instances) this.instances.set(instance.id, instance);
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

  /** Starts a stopped instance, or restarts an exited (failed) container. */
  start(id: string): boolean {
    const instance = this.get(id);
    if (!instance || instance.phase === 'destroyed' || instance.phase === 'exiting') return false;
    if (instance.phase !== 'stopped' && instance.phase !== 'stopping' && instance.phase !== 'failed') return true;
    instance.statusMessage = null;
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
    // A repeated destroy (a client retrying) does not restart the provider's own teardown.
    const alreadyExiting = instance.phase === 'exiting' && instance.pending?.to === 'destroyed';
    if (instance.phase !== 'exiting') this.enter(instance, 'exiting', this.nowMs);
    if (!alreadyExiting) instance.pending = options.stuck ? null : { atMs: this.nowMs + this.shortDelayMs, to: 'destroyed' };
    this.tick();
    return 'destroying';
  }

  /** The container exits (its node died, or the admin says so): compute billing stops, storage goes on. */
  fail(id: string, message: string): boolean {
    const instance = this.get(id);
    if (!instance || !CAN_EXIT.includes(instance.phase)) return false;
    instance.statusMessage = message;
    instance.pending = null;
    this.enter(instance, 'failed', this.nowMs);
    return true;
  }

  /** The provider destroys the instance at once, unasked: billing and the node stop now. */
  vanish(id: string): boolean {
    const instance = this.get(id);
    if (!instance || instance.phase === 'destroyed') return false;
    instance.pending = null;
    this.enter(instance, 'destroyed', this.nowMs);
    return true;
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
      // A destroyed instance bills nothing more (it used to accrue storage up to this tick).
      if (instance.destroyedAtMs === null) this.accrue(instance, now);
    }
  }

  /** Starts the node of every running instance that has none (after a restart from a state file). */
  resumeNodes(): void {
    this.tick();
    for (const instance of this.instances.values()) {
      if (instance.phase === 'running' && !this.runtimes.has(instance.id)) this.startNode(instance);
    }
  }

  /** Stops every node process (simulator shutdown); the instances keep their phase. */
  async stopAllRuntimes(): Promise<void> {
    const handles = await Promise.all(this.runtimes.values());
    this.runtimes.clear();
    for (const instance of this.instances.values()) instance.nodePgid = null;
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
    this.accrue(instance, atMs);
    instance.phase = to;
    instance.phaseSinceMs = atMs;
    if (to === 'destroyed') instance.destroyedAtMs = atMs;
    if (from === 'running') this.stopNode(instance);
    this.options.onPhaseChange?.(instance, from);
    if (to === 'running') this.startNode(instance);
    this.options.onChange?.(instance, false);
  }

  private startNode(instance: SimInstance<D>): void {
    const hook = this.options.onInstanceRunning;
    if (!hook) return;
    const launched: Promise<SimNodeHandle | null> = (async () => hook(this.options.launchFor(instance)))().then(
      (handle) => {
        this.watchNode(instance, launched, handle);
        return handle;
      },
      (error: unknown) => {
        this.nodeEnded(instance, launched, 'could not start', `node failed to start: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      },
    );
    this.runtimes.set(instance.id, launched);
  }

  private watchNode(instance: SimInstance<D>, launched: Promise<SimNodeHandle | null>, handle: SimNodeHandle): void {
    if (this.runtimes.get(instance.id) !== launched) return;
    if (handle.pid !== undefined) {
      instance.nodePgid = handle.pid;
      this.options.onChange?.(instance, true);
    }
    void handle.died?.then((death) => {
      if (death.containerExited) this.nodeEnded(instance, launched, `exited with ${death.exitCode}`, death.outputTail || `Exited (${death.exitCode})`);
      else this.nodeEnded(instance, launched, `was killed by ${death.signal}`, null);
    });
  }

  /**
   * The node ended without the simulator stopping it. With a message the container has exited and
   * the instance fails; without one (a crash from outside) the instance runs on without its node.
   */
  private nodeEnded(instance: SimInstance<D>, launched: Promise<SimNodeHandle | null>, how: string, failure: string | null): void {
    if (this.runtimes.get(instance.id) !== launched) return; // stopped by us
    this.runtimes.delete(instance.id);
    instance.nodePgid = null;
    const outcome = failure === null ? 'the instance keeps running without it' : `the instance has failed: ${failure.split('\n').at(-1) ?? ''}`;
    this.options.log?.(`${this.options.name ?? 'simulator'} instance ${instance.id}: node ${how}; ${outcome}`);
    if (failure === null || !this.fail(instance.id, failure)) this.options.onChange?.(instance, false);
  }

  private stopNode(instance: SimInstance<D>): void {
    const handle = this.runtimes.get(instance.id);
    instance.nodePgid = null;
    if (!handle) return;
    this.runtimes.delete(instance.id);
    void handle.then((resolved) => resolved?.stop());
  }
}
