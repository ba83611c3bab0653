// The Vast account endpoints operators' tools call: the current user (balance and credit follow the
// billing ground truth), invoices (v1 and the legacy v0 report) and account SSH keys (kept in memory:
// a restarted simulator forgets them, which no test or chaos run relies on).
import type { SimRequest, SimResponse } from '../shared/http-server';
import type { InstanceLifecycle } from '../shared/lifecycle';
import type { VastInstanceData } from './instance-record';

/** What a fresh simulated account was topped up with, once, when the simulator started. */
export const VAST_SIM_STARTING_CREDIT_USD = 1_000;

export interface VastAccountKey {
  id: number;
  user_id: number;
  public_key: string;
  created_at: string;
  deleted_at: string | null;
}

export interface VastAccount {
  userId: number;
  email: string;
  /** Unix seconds of the starting top-up. */
  toppedUpAt: number;
  keys: VastAccountKey[];
  nextKeyId: number;
}

export function newVastAccount(seed: number, nowMs: number): VastAccount {
  return { userId: 400_000 + (seed % 1000), email: `renter-${seed}@sim.vast.ai`, toppedUpAt: Math.floor(nowMs / 1000), keys: [], nextKeyId: 90_000 + (seed % 1000) * 100 };
}

/** The client-side check the CLIs make, enforced here so a private key never lands in the account. */
export function sshKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || !/^ssh-|^ecdsa-/.test(key.trim())) return "'ssh_key' must be an OpenSSH public key (ssh-ed25519 ..., ssh-rsa ...)";
  if (/PRIVATE KEY/.test(key)) return "'ssh_key' looks like a private key";
  return null;
}

export interface VastAccountContext {
  account: VastAccount;
  lifecycle: InstanceLifecycle<VastInstanceData>;
  nowMs(): number;
}

function spentUsd(context: VastAccountContext): number {
  let total = 0;
  for (const instance of context.lifecycle.instances.values()) total += instance.ledger.charges().totalUsd;
  return total;
}

function invoiceRecord(context: VastAccountContext): Record<string, unknown> {
  const { account } = context;
  return {
    id: account.userId * 10 + 1,
    user_id: account.userId,
    when: account.toppedUpAt,
    paid_on: account.toppedUpAt,
    payment_expected: account.toppedUpAt,
    amount_cents: VAST_SIM_STARTING_CREDIT_USD * 100,
    is_credit: true,
    is_delayed: false,
    balance_before: 0,
    balance_after: VAST_SIM_STARTING_CREDIT_USD,
    original_amount: VAST_SIM_STARTING_CREDIT_USD * 100,
    event_id: `evt_sim_${account.userId}`,
    cut_amount: 0,
    cut_percent: 0,
    extra: {},
    service: 'stripe',
  };
}

function parseWindow(raw: string | null, field: string): { gte: number; lte: number } | string {
  let filters: Record<string, { gte?: unknown; lte?: unknown } | undefined>;
  try {
    filters = JSON.parse(raw ?? '{}') as typeof filters;
  } catch {
    return 'select_filters must be JSON';
  }
  const gte = Number(filters[field]?.gte ?? Number.NEGATIVE_INFINITY);
  const lte = Number(filters[field]?.lte ?? Number.POSITIVE_INFINITY);
  return Number.isNaN(gte) || Number.isNaN(lte) ? `${field} gte/lte must be unix timestamps` : { gte, lte };
}

export function vastAccountHandlers(context: VastAccountContext) {
  return {
    currentUser(request: SimRequest): SimResponse {
      const spent = spentUsd(context);
      const credit = VAST_SIM_STARTING_CREDIT_USD - spent;
      const token = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? request.query.get('api_key') ?? '';
      return {
        status: 200,
        body: {
          id: context.account.userId,
          key_id: context.account.userId * 7,
          email: context.account.email,
          username: context.account.email.split('@')[0],
          // Both are documented: balance (OpenAPI) and credit (auth docs); here both are spendable credit.
          balance: credit,
          credit,
          ssh_key: context.account.keys.at(-1)?.public_key ?? '',
          sid: `sim-${context.account.userId}`,
          // The legacy CLI pops api_key from this body before printing it: the real API sends it.
          api_key: token,
          billaddress_country: 'US',
          has_billing: true,
          can_pay: true,
          paid_verified: 1,
        },
      };
    },

    invoicesV1(request: SimRequest): SimResponse {
      const window = parseWindow(request.query.get('select_filters'), 'when');
      if (typeof window === 'string') return { status: 400, body: { success: false, error: 'invalid_args', msg: window } };
      const invoice = invoiceRecord(context);
      const results = (invoice.when as number) >= window.gte && (invoice.when as number) <= window.lte ? [invoice] : [];
      return { status: 200, body: { success: true, count: results.length, total: results.length, next_token: null, results } };
    },

    /** The legacy report: charges and credits as lines, plus the current period's total. */
    invoicesV0(request: SimRequest): SimResponse {
      const from = Number(request.query.get('sdate') ?? Number.NEGATIVE_INFINITY);
      const to = Number(request.query.get('edate') ?? Number.POSITIVE_INFINITY);
      const includeCharges = request.query.get('inc_charges') !== 'false';
      const lines: Record<string, unknown>[] = [];
      if (context.account.toppedUpAt >= from && context.account.toppedUpAt <= to) {
        lines.push({ type: 'payment', description: 'Credit purchase', quantity: 1, rate: VAST_SIM_STARTING_CREDIT_USD, amount: VAST_SIM_STARTING_CREDIT_USD, timestamp: context.account.toppedUpAt, is_credit: true });
      }
      let charged = 0;
      if (includeCharges) {
        for (const instance of context.lifecycle.instances.values()) {
          const window = instance.ledger.charges(Number.isFinite(from) ? from * 1000 : undefined, Number.isFinite(to) ? to * 1000 : undefined);
          if (window.totalUsd <= 0) continue;
          charged += window.totalUsd;
          lines.push({ type: 'charge', description: `Instance ${instance.id} Charges`, quantity: window.computeHours, rate: instance.computePerHourUsd, amount: window.totalUsd, timestamp: Math.floor(instance.createdAtMs / 1000), instance_id: Number(instance.id), is_credit: false });
        }
      }
      return { status: 200, body: { invoices: lines, current: { charges: charged, service_fee: 0, total: charged } } };
    },

    listKeys(): SimResponse {
      return { status: 200, body: context.account.keys.filter((key) => key.deleted_at === null) };
    },

    addKey(request: SimRequest): SimResponse {
      const key = (request.body as { ssh_key?: unknown } | undefined)?.ssh_key;
      const problem = sshKeyProblem(key);
      if (problem !== null) return { status: 400, body: { success: false, error: 'invalid_args', msg: problem } };
      const created: VastAccountKey = { id: context.account.nextKeyId++, user_id: context.account.userId, public_key: String(key).trim(), created_at: new Date(context.nowMs()).toISOString(), deleted_at: null };
      context.account.keys.push(created);
      return { status: 200, body: { success: true, key: created } };
    },

    deleteKey(request: SimRequest): SimResponse {
      const key = context.account.keys.find((candidate) => String(candidate.id) === request.params.id && candidate.deleted_at === null);
      if (!key) return { status: 404, body: { success: false, error: 'not_found', msg: `SSH key ${request.params.id ?? ''} not found` } };
      key.deleted_at = new Date(context.nowMs()).toISOString();
      return { status: 200, body: { success: true, msg: 'SSH key deleted' } };
    },
  };
}
