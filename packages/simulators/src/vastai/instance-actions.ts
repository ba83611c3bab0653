// Vast instance endpoints beyond create/show/destroy/stop/start: reboot, logs (a result_url to poll),
// change bid (interruptible instances: a bid under the host's minimum is outbid and stops), instance
// SSH keys, and the "scheduling" wait of a start whose GPU someone else rented meanwhile.
import type { SimRequest, SimResponse } from '../shared/http-server';
import type { InstanceLifecycle, SimInstance } from '../shared/lifecycle';
import { sshKeyProblem } from './account-routes';
import type { VastInstanceData } from './instance-record';

/** Vast's documented bid range ($/h per machine). */
export const VAST_MIN_BID_USD = 0.001;
export const VAST_MAX_BID_USD = 128;
/** How long a reboot shows "rebooting". */
const REBOOT_MS = 20_000;

export interface VastInstanceActionContext {
  lifecycle: InstanceLifecycle<VastInstanceData>;
  nowMs(): number;
  /** Where a logs result_url points (the simulator's own base URL). */
  baseUrl(): string;
  changed(): void;
}

type Live = SimInstance<VastInstanceData>;

export function bidProblem(price: unknown): string | null {
  const value = Number(price);
  return Number.isFinite(value) && value >= VAST_MIN_BID_USD && value <= VAST_MAX_BID_USD ? null : `price must be a number from ${VAST_MIN_BID_USD} to ${VAST_MAX_BID_USD} $/h`;
}

/** An interruptible instance bidding under its host's minimum is outbid: stopped, storage billed on. */
export function applyBid(lifecycle: InstanceLifecycle<VastInstanceData>, instance: Live, bidPerHourUsd: number): 'running' | 'outbid' {
  instance.data.bidPerHourUsd = bidPerHourUsd;
  // The ledger prices each segment at the rate then in force: accrue up to now before the rate changes.
  lifecycle.tick();
  instance.computePerHourUsd = bidPerHourUsd;
  if (bidPerHourUsd < (instance.data.offer.record.min_bid as number)) {
    lifecycle.stop(instance.id);
    return 'outbid';
  }
  return 'running';
}

export function vastInstanceActionHandlers(context: VastInstanceActionContext) {
  const logs = new Map<string, { instanceId: string; tail: number }>();

  function live(request: SimRequest): Live | SimResponse {
    const instance = context.lifecycle.get(request.params.id ?? '');
    if (!instance || instance.phase === 'destroyed') return { status: 404, body: { success: false, error: 'no_such_instance', msg: `Instance ${request.params.id ?? ''} does not exist.` } };
    return instance;
  }
  const isResponse = (value: Live | SimResponse): value is SimResponse => 'status' in value;

  return {
    reboot(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      if (instance.phase !== 'running') return { status: 200, body: { success: false, msg: `Instance ${instance.id} is not running.` } };
      instance.data.rebootingUntilMs = context.nowMs() + REBOOT_MS;
      context.changed();
      return { status: 200, body: { success: true, msg: 'Rebooting instance' } };
    },

    requestLogs(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      const tail = Number((request.body as { tail?: unknown } | undefined)?.tail ?? 1000);
      const token = `${instance.id}-${logs.size + 1}`;
      logs.set(token, { instanceId: instance.id, tail: Number.isFinite(tail) && tail > 0 ? Math.floor(tail) : 1000 });
      return { status: 200, body: { success: true, msg: 'Logs requested', result_url: `${context.baseUrl()}/__logs/${token}.log` } };
    },

    /** The result_url the logs request handed out: the container log as plain text. */
    logResult(request: SimRequest): SimResponse {
      const entry = logs.get((request.params.file ?? '').replace(/\.log$/, ''));
      const instance = entry === undefined ? undefined : context.lifecycle.instances.get(entry.instanceId);
      if (!entry || !instance) return { status: 404, text: 'NoSuchKey' };
      const lines = [`Pulling image ${instance.data.image}`, '59729b65119e: Pull complete', `Container C.${instance.id} created`];
      if (instance.data.onstart) lines.push('Running onstart script');
      if (instance.phase === 'running') lines.push(`success, running ${instance.data.image}/ssh`);
      if (instance.phase === 'failed' && instance.statusMessage) lines.push(...instance.statusMessage.split('\n'));
      if (instance.phase === 'stopped' || instance.phase === 'stopping') lines.push('Exited (0)');
      return { status: 200, text: `${lines.slice(-entry.tail).join('\n')}\n` };
    },

    changeBid(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      const price = (request.body as { price?: unknown } | undefined)?.price;
      const problem = bidProblem(price);
      if (problem !== null) return { status: 400, body: { success: false, error: 'invalid_price', msg: `error 400: ${problem}` } };
      if (instance.data.bidPerHourUsd === undefined || instance.data.bidPerHourUsd === null) {
        return { status: 200, body: { success: false, error: 'invalid_args', msg: `Instance ${instance.id} is on-demand: it has no bid to change.` } };
      }
      const wasOutbid = instance.phase === 'stopped' && instance.data.bidPerHourUsd < (instance.data.offer.record.min_bid as number);
      const outcome = applyBid(context.lifecycle, instance, Number(price));
      // A bid raised back over the minimum restarts an outbid instance, as on Vast.
      if (outcome === 'running' && wasOutbid) context.lifecycle.start(instance.id);
      context.changed();
      return { status: 200, body: { success: true, msg: outcome === 'outbid' ? 'Bid is below the minimum: instance stopped (outbid)' : 'Bid changed' } };
    },

    listInstanceKeys(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      return { status: 200, body: { success: true, ssh_keys: (instance.data.sshKeys ?? []).map((key) => ({ id: key.id, public_key: key.publicKey })) } };
    },

    attachKey(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      const key = (request.body as { ssh_key?: unknown } | undefined)?.ssh_key;
      const problem = sshKeyProblem(key);
      if (problem !== null) return { status: 400, body: { success: false, error: 'invalid_args', msg: problem } };
      const keys = (instance.data.sshKeys ??= []);
      keys.push({ id: 1 + Math.max(0, ...keys.map((k) => k.id)), publicKey: String(key).trim() });
      context.changed();
      return { status: 200, body: { success: true, msg: 'SSH key attached successfully' } };
    },

    detachKey(request: SimRequest): SimResponse {
      const instance = live(request);
      if (isResponse(instance)) return instance;
      const keys = instance.data.sshKeys ?? [];
      const index = keys.findIndex((key) => String(key.id) === request.params.keyId);
      if (index < 0) return { status: 404, body: { success: false, error: 'not_found', msg: `SSH key ${request.params.keyId ?? ''} is not attached` } };
      keys.splice(index, 1);
      context.changed();
      return { status: 200, body: { success: true, msg: 'SSH key detached successfully' } };
    },
  };
}

/**
 * A start on a stopped instance: waits in "scheduling" while its GPU is rented to someone else,
 * starts otherwise. Returns false when the lifecycle refused (being destroyed).
 */
export function startOrSchedule(lifecycle: InstanceLifecycle<VastInstanceData>, instance: Live): boolean {
  if (instance.phase === 'stopped' && instance.data.gpuTaken) {
    instance.data.scheduling = true;
    return true;
  }
  instance.data.scheduling = false;
  return lifecycle.start(instance.id);
}

/** The GPU comes back (admin release): a scheduled start goes ahead. */
export function releaseGpu(lifecycle: InstanceLifecycle<VastInstanceData>, instance: Live): void {
  instance.data.gpuTaken = false;
  if (instance.data.scheduling) {
    instance.data.scheduling = false;
    lifecycle.start(instance.id);
  }
}
