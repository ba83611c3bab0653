// The Vast.ai adapter: offers from /api/v0/bundles/, instances through /api/v0/asks and /api/v0|v1/instances,
// charges from /api/v0/charges. Every answer is validated; every failure is a typed ProviderError.
import type { Clock, Offer } from '@gpu-shopper/domain';
import type { BillingCallOptions, BillingCharge, InstanceSpec, ListCallOptions, OfferSearch, ProviderAdapter, ProviderInstance } from '../adapter';
import { newestLeftover } from '../leftovers';
import { createdInstance } from '../created-instance';
import type { ProviderError } from '../errors';
import { CreateFailedError, ProviderContractError, ProviderRejectedError, ProviderUnavailableError } from '../errors';
import { createProviderHttp, type AdapterOptions } from '../http/adapter-options';
import type { Logger, ProviderHttp, ProviderResponse } from '../http/provider-http';
import { parseVastChargesPage } from './billing-parser';
import { parseVastInstance, VastListV0EnvelopeSchema, VastListV1EnvelopeSchema, VastShowEnvelopeSchema } from './instance-parser';
import { parseVastBundlesResponse } from './offer-parser';
import { isVastOk, isVastSoftFailure, vastErrorCode, vastResponseError } from './response-errors';
import { buildVastBundlesQuery, type VastSearchOptions } from './search-query';
import { noteSkippedRecords, skippedRecordMetrics, type SkippedRecordMetrics } from '../skipped-records';
import { compactShellScript } from './onstart-script';

export const VASTAI_DEFAULT_BASE_URL = 'https://console.vast.ai';
/** Vast rejects longer onstart scripts. */
export const VAST_MAX_ONSTART_CHARS = 4048;
const MAX_LIST_PAGES = 400;
const GONE_CODES = new Set(['no_such_instance', 'not_found']);

export interface VastAiAdapterOptions extends AdapterOptions, VastSearchOptions {
  /** Vast runtype for created instances; default "ssh_direct" (port 22 on the host, onstart runs). */
  runtype?: string;
  /** Where skipped malformed records are counted; default this process's (on /metrics). */
  skippedRecords?: SkippedRecordMetrics;
}

export class VastAiAdapter implements ProviderAdapter {
  readonly name = 'vastai' as const;
  readonly http: ProviderHttp;
  private readonly clock: Clock;
  private readonly searchOptions: VastSearchOptions;
  private readonly logger: Logger | undefined;
  private readonly runtype: string;
  private readonly skippedRecords: SkippedRecordMetrics;
  /** Records skipped in the last search because their shape was unexpected (for diagnostics). */
  lastSearchSkippedCount = 0;

  constructor(options: VastAiAdapterOptions) {
    this.clock = options.clock;
    this.searchOptions = { verifiedOnly: options.verifiedOnly };
    this.logger = options.logger;
    this.runtype = options.runtype ?? 'ssh_direct';
    this.skippedRecords = options.skippedRecords ?? skippedRecordMetrics;
    // Vast enforces per-endpoint minimum intervals it does not publish; this only smooths bursts.
    this.http = createProviderHttp('vastai', options, { baseUrl: VASTAI_DEFAULT_BASE_URL, budget: { burst: 20, perMinute: 240 } });
  }

  async searchOffers(search: OfferSearch): Promise<Offer[]> {
    const response = await this.http.send({
      method: 'POST',
      path: '/api/v0/bundles/',
      body: buildVastBundlesQuery(search, this.searchOptions),
      retryMode: 'idempotent',
      operation: 'search offers',
    });
    if (response.status < 200 || response.status >= 300) throw vastResponseError(this.http, response, 'search offers');
    const parsed = parseVastBundlesResponse(response.json, { diskGb: search.diskGb, now: this.clock.now() });
    this.lastSearchSkippedCount = parsed.skippedCount;
    const total = (response.json as { offers: unknown[] }).offers.length;
    noteSkippedRecords(this.skippedRecords, this.logger, 'vastai', 'search offers', { total, skipped: parsed.skippedCount, reasons: parsed.skipReasons });
    return parsed.offers;
  }

  /** The PUT /asks/{id}/ body for a spec (exported shape for tests and the validation script). */
  createRequestBody(spec: InstanceSpec): Record<string, unknown> {
    const env: Record<string, string> = { ...spec.env };
    for (const port of spec.ports) env[`-p ${port}:${port}`] = '1';
    // Vast installs account keys only; putting ours in onstart works on any host (dstack does the same).
    const keyLine = spec.sshPublicKey ? `mkdir -p ~/.ssh && echo ${shellQuote(spec.sshPublicKey.trim())} >> ~/.ssh/authorized_keys\n` : '';
    return {
      client_id: 'me',
      image: spec.image,
      disk: spec.diskGb,
      label: spec.label,
      env,
      onstart: `${keyLine}${compactShellScript(spec.bootstrapScript)}`,
      runtype: this.runtype,
    };
  }

  async createInstance(offer: Offer, spec: InstanceSpec): Promise<ProviderInstance> {
    if (offer.provider !== 'vastai') throw new ProviderRejectedError('vastai', `offer ${offer.id} is not a Vast.ai offer`);
    const body = this.createRequestBody(spec);
    if (String(body.onstart).length > VAST_MAX_ONSTART_CHARS) {
      throw new ProviderRejectedError('vastai', `create instance: onstart is ${String(body.onstart).length} chars, Vast allows ${VAST_MAX_ONSTART_CHARS}`);
    }
    let response: ProviderResponse;
    try {
      response = await this.http.send({
        method: 'PUT',
        path: `/api/v0/asks/${encodeURIComponent(offer.providerOfferId)}/`,
        body,
        retryMode: 'not-idempotent',
        passServerErrors: true,
        operation: 'create instance',
      });
    } catch (error) {
      // A timed-out create may still have rented the offer: look for our label before giving up.
      if (error instanceof ProviderUnavailableError) await this.reportOrphanByLabel(spec.label, error);
      throw error;
    }
    const json = (response.json ?? {}) as Record<string, unknown>;
    const newContract = typeof json.new_contract === 'number' || typeof json.new_contract === 'string' ? String(json.new_contract) : null;
    if (isVastOk(response) && newContract !== null) {
      return createdInstance('vastai', newContract, offer, spec);
    }
    const failure = isVastOk(response)
      ? new ProviderContractError('vastai', 'create instance: success without new_contract')
      : response.status >= 500
        ? new ProviderUnavailableError('vastai', this.http.redact(`create instance: HTTP ${response.status} ${response.text.slice(0, 200)}`))
        : vastResponseError(this.http, response, 'create instance');
    // Vast can fail a create and still leave the contract behind: record it and destroy it.
    if (newContract !== null) throw await this.destroyOrphan(newContract, failure);
    if (response.status >= 500) await this.reportOrphanByLabel(spec.label, failure);
    throw failure;
  }

  async getInstance(instanceId: string): Promise<ProviderInstance | null> {
    const response = await this.http.send({
      method: 'GET',
      path: `/api/v0/instances/${encodeURIComponent(instanceId)}/`,
      query: { owner: 'me' },
      retryMode: 'idempotent',
      operation: 'get instance',
    });
    if (response.status === 404 && vastErrorCode(response) !== 'auth_error') return null;
    if (!isVastOk(response)) throw vastResponseError(this.http, response, 'get instance');
    const envelope = VastShowEnvelopeSchema.safeParse(response.json);
    if (!envelope.success) throw new ProviderContractError('vastai', 'get instance: response has no "instances" key');
    if (envelope.data.instances === null) return null;
    return parseVastInstance(envelope.data.instances);
  }

  async listInstances(options: ListCallOptions = {}): Promise<ProviderInstance[]> {
    try {
      return await this.listInstancesV1(options);
    } catch (error) {
      // The paginated v1 list is newer; when it is missing or odd, the v0 list still tells the truth.
      if (!(error instanceof ProviderContractError) && !(error instanceof ProviderRejectedError && (error.status === 404 || error.status === 405))) throw error;
      this.logger?.warn(`vastai list instances: v1 failed (${error.message}); using the v0 list`);
      return this.listInstancesV0(options);
    }
  }

  private async listInstancesV1(options: ListCallOptions): Promise<ProviderInstance[]> {
    const instances: ProviderInstance[] = [];
    const seenTokens = new Set<string>();
    let afterToken: string | null = null;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const response = await this.http.send({
        method: 'GET',
        path: '/api/v1/instances/',
        query: { limit: 25, ...(afterToken ? { after_token: afterToken } : {}) },
        retryMode: 'idempotent',
        operation: 'list instances',
        ...(page === 0 ? { observer: options.observer } : {}),
      });
      if (!isVastOk(response)) throw vastResponseError(this.http, response, 'list instances');
      const envelope = VastListV1EnvelopeSchema.safeParse(response.json);
      if (!envelope.success) throw new ProviderContractError('vastai', 'list instances: v1 response has no "instances" array');
      for (const record of envelope.data.instances) instances.push(parseVastInstance(record));
      afterToken = envelope.data.next_token ?? null;
      if (afterToken === null) return instances;
      if (seenTokens.has(afterToken)) throw new ProviderContractError('vastai', 'list instances: pagination token repeated');
      seenTokens.add(afterToken);
    }
    throw new ProviderContractError('vastai', `list instances: more than ${MAX_LIST_PAGES} pages`);
  }

  private async listInstancesV0(options: ListCallOptions): Promise<ProviderInstance[]> {
    const response = await this.http.send({ method: 'GET', path: '/api/v0/instances/', query: { owner: 'me' }, retryMode: 'idempotent', operation: 'list instances (v0)', observer: options.observer });
    if (!isVastOk(response)) throw vastResponseError(this.http, response, 'list instances (v0)');
    const envelope = VastListV0EnvelopeSchema.safeParse(response.json);
    if (!envelope.success) throw new ProviderContractError('vastai', 'list instances: v0 response has no "instances" array');
    return envelope.data.instances.map(parseVastInstance);
  }

  async destroyInstance(instanceId: string, options: BillingCallOptions = {}): Promise<void> {
    const response = await this.http.send({
      method: 'DELETE',
      path: `/api/v0/instances/${encodeURIComponent(instanceId)}/`,
      body: {},
      retryMode: 'idempotent',
      operation: 'destroy instance',
      observer: options.observer,
    });
    if (isVastOk(response)) {
      options.observer?.confirmed();
      return;
    }
    const code = vastErrorCode(response);
    // Already gone is done: Vast says so as 404, not_found or no_such_instance (dstack treats all alike).
    if ((response.status === 404 && code !== 'auth_error') || (code !== null && GONE_CODES.has(code))) {
      options.observer?.alreadyGone(); // this attempt ended nothing (an earlier unanswered one may have)
      return;
    }
    throw vastResponseError(this.http, response, 'destroy instance');
  }

  stopInstance(instanceId: string, options: BillingCallOptions = {}): Promise<void> {
    return this.manage(instanceId, { state: 'stopped' }, 'stop instance', options);
  }

  startInstance(instanceId: string): Promise<void> {
    return this.manage(instanceId, { state: 'running' }, 'start instance');
  }

  setLabel(instanceId: string, label: string): Promise<void> {
    return this.manage(instanceId, { label }, 'label instance');
  }

  private async manage(instanceId: string, body: Record<string, unknown>, operation: string, options: BillingCallOptions = {}): Promise<void> {
    const response = await this.http.send({ method: 'PUT', path: `/api/v0/instances/${encodeURIComponent(instanceId)}/`, body, retryMode: 'idempotent', operation, observer: options.observer });
    if (isVastOk(response)) return;
    // HTTP 200 with success:false is Vast's way of refusing (e.g. the GPU is taken on start).
    if (isVastSoftFailure(response) && response.status < 300) {
      throw new ProviderRejectedError('vastai', this.http.redact(`${operation}: ${String((response.json as Record<string, unknown>).msg ?? 'refused')}`), response.status);
    }
    throw vastResponseError(this.http, response, operation);
  }

  async describeBilling(instanceIds: readonly string[], from: Date, to: Date): Promise<BillingCharge[]> {
    const wanted = new Set(instanceIds);
    const charges: BillingCharge[] = [];
    let afterToken: string | null = null;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const response = await this.http.send({
        method: 'GET',
        path: '/api/v0/charges',
        query: {
          select_filters: JSON.stringify({ day: { gte: Math.floor(from.getTime() / 1000), lte: Math.ceil(to.getTime() / 1000) } }),
          limit: 500,
          ...(afterToken ? { after_token: afterToken } : {}),
        },
        retryMode: 'idempotent',
        operation: 'read charges',
      });
      if (!isVastOk(response)) throw vastResponseError(this.http, response, 'read charges');
      const parsed = parseVastChargesPage(response.json);
      charges.push(...parsed.charges.filter((charge) => wanted.size === 0 || wanted.has(charge.instanceId)));
      afterToken = parsed.nextToken;
      if (afterToken === null) return charges;
    }
    throw new ProviderContractError('vastai', `read charges: more than ${MAX_LIST_PAGES} pages`);
  }

  /** Destroys what a failed create left behind and returns the error that reports it. */
  private async destroyOrphan(instanceId: string, failure: ProviderError): Promise<CreateFailedError> {
    let destroyed = false;
    try {
      await this.destroyInstance(instanceId);
      destroyed = true;
    } catch (error) {
      this.logger?.warn(`vastai: could not destroy orphan ${instanceId} after a failed create: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new CreateFailedError('vastai', `create instance failed but left instance ${instanceId} (${destroyed ? 'destroyed' : 'NOT destroyed'}): ${failure.message}`, instanceId, destroyed, {
      cause: failure,
    });
  }

  /** After an ambiguous create failure, finds an instance carrying our label; throws CreateFailedError if one exists. */
  private async reportOrphanByLabel(label: string, failure: ProviderError): Promise<void> {
    let found: ProviderInstance | undefined;
    try {
      found = newestLeftover(await this.listInstances(), label);
    } catch {
      return;
    }
    if (found) throw await this.destroyOrphan(found.instanceId, failure);
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
