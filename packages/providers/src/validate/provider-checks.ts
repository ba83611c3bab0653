// The checks `validate:providers` makes against one provider: results that must not be empty, no
// record skipped as malformed, our all-in price within a cent per hour of the provider's own total,
// the account endpoints, and (with a spend allowance) a real create -> running -> billed -> destroyed.
// Everything goes through the adapters and their HTTP layer, so what passes here is what we run.
import { sessionLabel, type Clock, type Offer } from '@gpu-shopper/domain';
import type { InstanceSpec } from '../adapter';
import { ProviderHttp } from '../http/provider-http';
import { TensorDockAdapter } from '../tensordock/adapter';
import { isTdOk } from '../tensordock/response-errors';
import { VastAiAdapter } from '../vastai/adapter';
import { parseVastBundlesResponse } from '../vastai/offer-parser';
import { isVastOk } from '../vastai/response-errors';
import { buildVastBundlesQuery } from '../vastai/search-query';
import { CheckFailure, CheckRecorder } from './check-table';

/** Our price may differ from the provider's own total by rounding, never by more than this. */
export const PRICE_TOLERANCE_USD_PER_HOUR = 0.01;
const SEARCH = { diskGb: 100, limit: 50 } as const;
/** An instance this old must show up in the provider's charges. */
const BILLED_AFTER_MS = 3_600_000;

export interface ValidateOptions {
  clock: Clock;
  /** Dollars the run may spend renting the cheapest offer; 0: read-only. */
  allowSpendUsd: number;
  /** How long a rented instance may take to run (and runs at most). */
  runMinutes: number;
  pollIntervalMs: number;
  sleep(ms: number): Promise<void>;
  sshPublicKey: string;
  /** TensorDock's v0 API (billing balance); default beside the adapter's base URL. */
  tensordockV0BaseUrl?: string;
}

type Adapter = VastAiAdapter | TensorDockAdapter;

function fail(message: string): never {
  throw new CheckFailure(message);
}

function priceGap(ours: number, theirs: number): number {
  return Math.abs(ours - theirs);
}

async function searchChecks(adapter: Adapter, recorder: CheckRecorder): Promise<Offer[]> {
  let offers: Offer[] = [];
  await recorder.run('search offers', async () => {
    offers = await adapter.searchOffers(SEARCH);
    // A market with nothing for sale is drift (or a broken query), never a quiet pass.
    if (offers.length === 0) fail('0 offers: the account must see some');
    return `${offers.length} offers`;
  });
  await recorder.run('no malformed records', async () => {
    if (adapter.lastSearchSkippedCount > 0) fail(`${adapter.lastSearchSkippedCount} records skipped as malformed`);
    return '0 skipped';
  });
  return offers;
}

/** Vast prices every offer itself (dph_total): ours, from dph_base and storage_cost, must agree. */
async function vastPriceCheck(adapter: VastAiAdapter, recorder: CheckRecorder, clock: Clock): Promise<void> {
  await recorder.run('price matches dph_total', async () => {
    const response = await adapter.http.send({ method: 'POST', path: '/api/v0/bundles/', body: buildVastBundlesQuery(SEARCH), retryMode: 'idempotent', operation: 'search offers (raw)' });
    if (!isVastOk(response)) fail(`HTTP ${response.status}`);
    const records = new Map(((response.json as { offers?: Record<string, unknown>[] }).offers ?? []).map((record) => [String(record.id), record]));
    const { offers } = parseVastBundlesResponse(response.json, { diskGb: SEARCH.diskGb, now: clock.now() });
    if (offers.length === 0) fail('no offers to compare');
    let worst = { gap: 0, id: '' };
    for (const offer of offers) {
      const total = records.get(offer.providerOfferId)?.dph_total;
      if (typeof total !== 'number') fail(`offer ${offer.providerOfferId} has no numeric dph_total`);
      const gap = priceGap(offer.pricePerHourUsd, total);
      if (gap > worst.gap) worst = { gap, id: offer.providerOfferId };
    }
    if (worst.gap > PRICE_TOLERANCE_USD_PER_HOUR) fail(`offer ${worst.id}: ours differs from dph_total by $${worst.gap.toFixed(4)}/h`);
    return `${offers.length} offers within $${worst.gap.toFixed(4)}/h`;
  });
}

async function vastAccountChecks(adapter: VastAiAdapter, recorder: CheckRecorder, clock: Clock): Promise<void> {
  await recorder.run('account (users/current)', async () => {
    const response = await adapter.http.send({ method: 'GET', path: '/api/v0/users/current/', retryMode: 'idempotent', operation: 'current user' });
    if (!isVastOk(response)) fail(`HTTP ${response.status}`);
    const user = response.json as Record<string, unknown>;
    const credit = typeof user.credit === 'number' ? user.credit : user.balance;
    if (typeof user.id !== 'number' || typeof credit !== 'number') fail('no numeric id and credit/balance');
    return `credit $${credit.toFixed(2)}`;
  });
  const to = clock.now();
  const instances = await adapter.listInstances().catch(() => null);
  await recorder.run('read billing (7 days)', async () => {
    const charges = await adapter.describeBilling([], new Date(to.getTime() - 7 * 86_400_000), to);
    const mustBeBilled = (instances ?? []).filter((instance) => instance.startedAt !== null && to.getTime() - Date.parse(instance.startedAt) > BILLED_AFTER_MS);
    if (charges.length === 0 && mustBeBilled.length > 0) fail(`0 charges, but ${mustBeBilled.length} instances have existed for over an hour`);
    if (charges.some((charge) => !Number.isFinite(charge.amountUsd) || charge.amountUsd < 0)) fail('a charge has a negative or non-numeric amount');
    return `${charges.length} charges`;
  });
}

/** v0 takes the token as a form field; given as the key too, so it is redacted from any message. */
function tensordockV0(adapter: TensorDockAdapter, token: string, options: ValidateOptions): ProviderHttp {
  return new ProviderHttp({ provider: 'tensordock', baseUrl: options.tensordockV0BaseUrl ?? adapter.http.baseUrl, apiKey: token, retry: adapter.http.retry, budget: adapter.http.budget });
}

/** TensorDock's v0 balance: the spendable balance and what live VMs cost per hour. */
async function tensordockBalance(adapter: TensorDockAdapter, token: string, options: ValidateOptions): Promise<{ balance: number; hourlyCost: number }> {
  const response = await tensordockV0(adapter, token, options).send({ method: 'POST', path: '/api/v0/billing/balance', form: { api_token: token }, retryMode: 'idempotent', operation: 'billing balance' });
  const body = response.json as Record<string, unknown> | undefined;
  if (!isTdOk(response) || body?.success === false) fail(`HTTP ${response.status}`);
  if (typeof body?.balance !== 'number' || typeof body.hourly_cost !== 'number') fail('no numeric balance and hourly_cost');
  return { balance: body.balance, hourlyCost: body.hourly_cost };
}

async function tensordockAccountChecks(adapter: TensorDockAdapter, token: string, recorder: CheckRecorder, options: ValidateOptions): Promise<void> {
  await recorder.run('account (secrets)', async () => {
    const response = await adapter.http.send({ method: 'GET', path: '/api/v2/secrets', retryMode: 'idempotent', operation: 'list secrets' });
    if (!isTdOk(response)) fail(`HTTP ${response.status}`);
    const secrets = (response.json as { data?: { secrets?: unknown } }).data?.secrets;
    if (!Array.isArray(secrets)) fail('no data.secrets array');
    return `${secrets.length} secrets`;
  });
  await recorder.run('billing balance', async () => {
    const { balance, hourlyCost } = await tensordockBalance(adapter, token, options);
    if (hourlyCost < 0) fail(`negative hourly cost ${hourlyCost}`);
    return `balance $${balance.toFixed(2)}, $${hourlyCost.toFixed(4)}/h`;
  });
}

function validationSpec(adapter: Adapter, options: ValidateOptions): InstanceSpec {
  return {
    image: adapter.name === 'vastai' ? 'nvidia/cuda:12.4.1-base-ubuntu22.04' : 'ubuntu2404',
    diskGb: SEARCH.diskGb,
    env: {},
    // The agent's port, as a real session asks for: the create must find room for it.
    ports: [8787],
    bootstrapScript: 'echo gpu-shopper validation',
    sshPublicKey: options.sshPublicKey,
    label: sessionLabel('validate', `run${options.clock.now().getTime()}`),
  };
}

/** Rents the cheapest offer the allowance covers, checks it runs at our price and is billed, then destroys it. */
async function spendChecks(adapter: Adapter, token: string, recorder: CheckRecorder, options: ValidateOptions): Promise<void> {
  const maxPricePerHourUsd = (options.allowSpendUsd * 60) / options.runMinutes;
  const [offer] = await adapter.searchOffers({ diskGb: SEARCH.diskGb, maxPricePerHourUsd, limit: 1 });
  if (!offer) {
    recorder.skip('create', `no offer under $${maxPricePerHourUsd.toFixed(2)}/h`);
    return;
  }
  const startedAt = options.clock.now();
  let instanceId: string | null = null;
  try {
    await recorder.run(`create on ${offer.id}`, async () => {
      instanceId = (await adapter.createInstance(offer, validationSpec(adapter, options))).instanceId;
      return `instance ${instanceId} at $${offer.pricePerHourUsd.toFixed(4)}/h`;
    });
    if (instanceId === null) return;
    const id: string = instanceId;
    const running = await recorder.run('reaches running', async () => {
      const deadline = options.clock.now().getTime() + options.runMinutes * 60_000;
      while (options.clock.now().getTime() < deadline) {
        const instance = await adapter.getInstance(id);
        if (instance?.state === 'running') return `running at ${instance.publicIp ?? '?'}`;
        if (instance?.state === 'failed') fail(`failed: ${instance.statusMessage ?? ''}`);
        await options.sleep(options.pollIntervalMs);
      }
      fail('not running in time');
    });
    await recorder.run('listed', async () => {
      const listed = await adapter.listInstances();
      if (!listed.some((instance) => instance.instanceId === id)) fail(`${listed.length} instances listed, ours not among them`);
      return `${listed.length} instances`;
    });
    await recorder.run('price matches the instance rate', async () => {
      const rate = (await adapter.getInstance(id))?.pricePerHourUsd;
      if (typeof rate !== 'number') fail('the instance shows no hourly rate');
      const gap = priceGap(offer.pricePerHourUsd, rate);
      if (gap > PRICE_TOLERANCE_USD_PER_HOUR) fail(`offer $${offer.pricePerHourUsd.toFixed(4)}/h, instance $${rate.toFixed(4)}/h`);
      return `within $${gap.toFixed(4)}/h`;
    });
    if (running) await billedChecks(adapter, token, id, offer, startedAt, recorder, options);
  } finally {
    if (instanceId !== null) await destroyCheck(adapter, instanceId, recorder, options);
  }
}

async function billedChecks(adapter: Adapter, token: string, id: string, offer: Offer, startedAt: Date, recorder: CheckRecorder, options: ValidateOptions): Promise<void> {
  if (adapter instanceof TensorDockAdapter) {
    await recorder.run('balance counts the instance', async () => {
      const { hourlyCost } = await tensordockBalance(adapter, token, options);
      if (hourlyCost + PRICE_TOLERANCE_USD_PER_HOUR < offer.pricePerHourUsd) fail(`hourly cost $${hourlyCost.toFixed(4)} is under the instance's $${offer.pricePerHourUsd.toFixed(4)}/h`);
      return `$${hourlyCost.toFixed(4)}/h`;
    });
    return;
  }
  await recorder.run('charges show the instance', async () => {
    // Let it run a while (the meter bills whole seconds), then ask until the charge appears.
    for (let attempt = 0; attempt < 10; attempt++) {
      await options.sleep(options.pollIntervalMs);
      const charges = await adapter.describeBilling([id], startedAt, options.clock.now());
      const total = charges.reduce((sum, charge) => sum + charge.amountUsd, 0);
      if (total > 0) return `$${total.toFixed(4)} charged`;
    }
    fail(`no charge for instance ${id}`);
  });
}

async function destroyCheck(adapter: Adapter, id: string, recorder: CheckRecorder, options: ValidateOptions): Promise<void> {
  await recorder.run('destroy and verify gone', async () => {
    await adapter.destroyInstance(id);
    for (let attempt = 0; attempt < 30; attempt++) {
      const instance = await adapter.getInstance(id);
      if (instance === null || instance.state === 'terminated') return 'gone';
      await options.sleep(options.pollIntervalMs);
      await adapter.destroyInstance(id);
    }
    fail(`instance ${id} still present: DESTROY IT BY HAND`);
  });
}

/** Every check for one provider, in order; the rows say what passed. */
export async function validateProvider(adapter: Adapter, token: string, options: ValidateOptions): Promise<CheckRecorder> {
  const recorder = new CheckRecorder();
  await searchChecks(adapter, recorder);
  if (adapter instanceof VastAiAdapter) await vastPriceCheck(adapter, recorder, options.clock);
  else recorder.skip('price matches the provider total', 'TensorDock prices a host per resource: compared on a rented instance (--allow-spend)');
  await recorder.run('list instances', async () => `${(await adapter.listInstances()).length} instances`);
  if (adapter instanceof VastAiAdapter) await vastAccountChecks(adapter, recorder, options.clock);
  else await tensordockAccountChecks(adapter, token, recorder, options);
  if (options.allowSpendUsd > 0) await spendChecks(adapter, token, recorder, options);
  else recorder.skip('create, run, bill, destroy', 'read-only (pass --allow-spend=<usd>)');
  return recorder;
}
