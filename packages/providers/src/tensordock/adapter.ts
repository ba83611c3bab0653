// The TensorDock v2 adapter: offers built from /api/v2/hostnodes (+ /locations), VMs created on a chosen
// host node with port forwards from its free ports and our bootstrap in cloud-init; get/list/start/stop/delete.
import { gpuModelMatches, type Clock, type Offer } from '@gpu-shopper/domain';
import type { BillingCallOptions, InstanceSpec, ListCallOptions, OfferSearch, ProviderAdapter, ProviderInstance } from '../adapter';
import { newestLeftover } from '../leftovers';
import { createdInstance } from '../created-instance';
import { CreateFailedError, OfferGoneError, ProviderContractError, ProviderRejectedError, ProviderUnavailableError, type ProviderError } from '../errors';
import { createProviderHttp, type AdapterOptions } from '../http/adapter-options';
import type { CallObserver, Logger, ProviderHttp, ProviderResponse } from '../http/provider-http';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parseTensorDockInstance, parseTensorDockListItem, tensorDockInstanceListItems } from './instance-parser';
import { parseTensorDockHostnodes, TD_MIN_STORAGE_GB, TdHostnodeSchema } from './offer-builder';
import { isTdOk, tdResponseError } from './response-errors';
import { renderCloudInit, type CloudInitDocument } from './cloud-init';
import { noteSkippedRecords, skippedRecordMetrics, type SkippedRecordMetrics } from '../skipped-records';

export const TENSORDOCK_DEFAULT_BASE_URL = 'https://dashboard.tensordock.com';
/** TensorDock allows 100 requests/minute per organisation: 20 burst + 80/min never exceeds it in any minute. */
export const TENSORDOCK_DEFAULT_BUDGET = { burst: 20, perMinute: 80 } as const;
/** Instance list items read between yields to the event loop (~5 ms of work while the code is cold). */
const LIST_ITEMS_PER_SLICE = 1_000;

export interface TensorDockAdapterOptions extends AdapterOptions {
  /** OS image for VMs; the InstanceSpec image is the container the VM runs (GPU_SHOPPER_IMAGE, see cloud-init.ts). */
  osImage?: string;
  /** Where skipped malformed records are counted; default this process's (on /metrics). */
  skippedRecords?: SkippedRecordMetrics;
}

export class TensorDockAdapter implements ProviderAdapter {
  readonly name = 'tensordock' as const;
  readonly http: ProviderHttp;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly osImage: string;
  private readonly skippedRecords: SkippedRecordMetrics;
  /** Host nodes skipped in the last search because their shape was unexpected (for diagnostics). */
  lastSearchSkippedCount = 0;

  constructor(options: TensorDockAdapterOptions) {
    this.clock = options.clock;
    this.logger = options.logger;
    this.osImage = options.osImage ?? 'ubuntu2404';
    this.skippedRecords = options.skippedRecords ?? skippedRecordMetrics;
    this.http = createProviderHttp('tensordock', options, { baseUrl: TENSORDOCK_DEFAULT_BASE_URL, budget: TENSORDOCK_DEFAULT_BUDGET });
  }

  private async getJson(path: string, operation: string, observer?: CallObserver): Promise<ProviderResponse> {
    const response = await this.http.send({ method: 'GET', path, retryMode: 'idempotent', operation, observer });
    if (!isTdOk(response)) throw tdResponseError(this.http, response, operation);
    return response;
  }

  async searchOffers(search: OfferSearch): Promise<Offer[]> {
    const [hostnodes, locations] = await Promise.all([this.getJson('/api/v2/hostnodes', 'list hostnodes'), this.getJson('/api/v2/locations', 'list locations')]);
    const parsed = parseTensorDockHostnodes(hostnodes.json, { diskGb: search.diskGb, now: this.clock.now() }, locations.json);
    this.lastSearchSkippedCount = parsed.skippedCount;
    const total = (hostnodes.json as { data: { hostnodes: unknown[] } }).data.hostnodes.length;
    noteSkippedRecords(this.skippedRecords, this.logger, 'tensordock', 'search offers', { total, skipped: parsed.skippedCount, reasons: parsed.skipReasons });
    // TensorDock has no server-side filters: narrow here (the inventory filters again anyway).
    const filtered = parsed.offers.filter(
      (offer) =>
        (search.gpu === undefined || gpuModelMatches(search.gpu, offer.gpuModel) || gpuModelMatches(search.gpu, offer.providerGpuName)) &&
        (search.maxPricePerHourUsd === undefined || offer.pricePerHourUsd <= search.maxPricePerHourUsd) &&
        (search.minGpus === undefined || offer.gpuCount >= search.minGpus),
    );
    filtered.sort((a, b) => a.pricePerHourUsd - b.pricePerHourUsd);
    return search.limit === undefined ? filtered : filtered.slice(0, search.limit);
  }

  /** The cloud-init document for a VM: our env, bootstrap and the start of the workload image (see cloud-init.ts). */
  cloudInit(spec: InstanceSpec): CloudInitDocument {
    return renderCloudInit(spec);
  }

  async createInstance(offer: Offer, spec: InstanceSpec): Promise<ProviderInstance> {
    if (offer.provider !== 'tensordock') throw new ProviderRejectedError('tensordock', `offer ${offer.id} is not a TensorDock offer`);
    if (!spec.sshPublicKey) throw new ProviderRejectedError('tensordock', 'create instance: TensorDock requires an SSH public key');
    const hostResponse = await this.http.send({ method: 'GET', path: `/api/v2/hostnodes/${encodeURIComponent(offer.providerOfferId)}`, retryMode: 'idempotent', operation: 'read hostnode' });
    if (hostResponse.status === 404) throw new OfferGoneError('tensordock', `host node ${offer.providerOfferId} is gone`);
    if (!isTdOk(hostResponse)) throw tdResponseError(this.http, hostResponse, 'read hostnode');
    const hostBody = hostResponse.json as Record<string, unknown>;
    const host = TdHostnodeSchema.safeParse(hostBody.data ?? hostBody);
    if (!host.success) throw new ProviderContractError('tensordock', 'hostnode has an unexpected shape');
    const gpu = host.data.available_resources.gpus.find((candidate) => candidate.v0Name === offer.providerGpuName);
    if (!gpu || gpu.availableCount < offer.gpuCount) throw new OfferGoneError('tensordock', `host node ${offer.providerOfferId} no longer has ${offer.gpuCount}x ${offer.providerGpuName}`);
    const internalPorts = [22, ...spec.ports.filter((port) => port !== 22)];
    const freePorts = [...new Set(host.data.available_resources.available_ports ?? [])];
    if (freePorts.length < internalPorts.length) {
      throw new OfferGoneError('tensordock', `host node ${offer.providerOfferId} has ${freePorts.length} free ports, ${internalPorts.length} needed`);
    }
    const portForwards = internalPorts.map((internal, index) => ({ internal_port: internal, external_port: freePorts[index]! }));
    const body = {
      data: {
        type: 'virtualmachine',
        attributes: {
          name: spec.label,
          type: 'virtualmachine',
          image: this.osImage,
          hostnode_id: offer.providerOfferId,
          resources: { vcpu_count: offer.cpuCores, ram_gb: offer.ramGb, storage_gb: Math.max(TD_MIN_STORAGE_GB, spec.diskGb), gpus: { [offer.providerGpuName]: { count: offer.gpuCount } } },
          port_forwards: portForwards,
          ssh_key: spec.sshPublicKey.trim(),
          cloud_init: this.cloudInit(spec),
        },
      },
    };
    let response: ProviderResponse;
    try {
      response = await this.http.send({ method: 'POST', path: '/api/v2/instances', body, retryMode: 'not-idempotent', passServerErrors: true, operation: 'create instance' });
    } catch (error) {
      if (error instanceof ProviderUnavailableError) await this.reportOrphanByLabel(spec.label, error);
      throw error;
    }
    if (response.status >= 500) {
      const failure = new ProviderUnavailableError('tensordock', this.http.redact(`create instance: HTTP ${response.status} ${response.text.slice(0, 200)}`));
      await this.reportOrphanByLabel(spec.label, failure);
      throw failure;
    }
    if (!isTdOk(response)) throw tdResponseError(this.http, response, 'create instance');
    const created = response.json as { data?: { id?: unknown }; id?: unknown };
    const instanceId = created.data?.id ?? created.id;
    if (typeof instanceId !== 'string' || instanceId === '') throw new ProviderContractError('tensordock', 'create instance: answer carries no instance id');
    return createdInstance('tensordock', instanceId, offer, spec, {
      portMappings: Object.fromEntries(portForwards.map((forward) => [forward.internal_port, forward.external_port])),
      sshPort: portForwards[0]?.external_port ?? null,
    });
  }

  async getInstance(instanceId: string): Promise<ProviderInstance | null> {
    const response = await this.http.send({ method: 'GET', path: `/api/v2/instances/${encodeURIComponent(instanceId)}`, retryMode: 'idempotent', operation: 'get instance' });
    if (response.status === 404) return null;
    if (!isTdOk(response)) throw tdResponseError(this.http, response, 'get instance');
    return parseTensorDockInstance(response.json);
  }

  async listInstances(options: ListCallOptions = {}): Promise<ProviderInstance[]> {
    // The v2 list is not paginated (no cursor is documented); an unexpected envelope is an error, never "none".
    const response = await this.getJson('/api/v2/instances', 'list instances', options.observer);
    const items = tensorDockInstanceListItems(response.json);
    const instances: ProviderInstance[] = [];
    for (const item of items) {
      instances.push(parseTensorDockListItem(item));
      // A fleet of thousands is one answer: read it in slices, so the timers and requests beside it
      // (the deadline tick, heartbeats) are not held for the whole of it.
      if (instances.length % LIST_ITEMS_PER_SLICE === 0) await yieldToEventLoop();
    }
    return instances;
  }

  async destroyInstance(instanceId: string, options: BillingCallOptions = {}): Promise<void> {
    const response = await this.http.send({ method: 'DELETE', path: `/api/v2/instances/${encodeURIComponent(instanceId)}`, retryMode: 'idempotent', operation: 'delete instance', observer: options.observer });
    if (response.status === 404) {
      options.observer?.alreadyGone(); // this attempt ended nothing (an earlier unanswered one may have)
      return;
    }
    if (!isTdOk(response)) throw tdResponseError(this.http, response, 'delete instance');
    options.observer?.confirmed();
  }

  stopInstance(instanceId: string, options: BillingCallOptions = {}): Promise<void> {
    return this.action(instanceId, 'stop', options);
  }

  startInstance(instanceId: string): Promise<void> {
    return this.action(instanceId, 'start');
  }

  private async action(instanceId: string, verb: 'start' | 'stop', options: BillingCallOptions = {}): Promise<void> {
    const operation = `${verb} instance`;
    const response = await this.http.send({ method: 'POST', path: `/api/v2/instances/${encodeURIComponent(instanceId)}/${verb}`, retryMode: 'idempotent', operation, observer: options.observer });
    if (!isTdOk(response)) throw tdResponseError(this.http, response, operation);
  }

  private async reportOrphanByLabel(label: string, failure: ProviderError): Promise<void> {
    let found: ProviderInstance | undefined;
    try {
      found = newestLeftover(await this.listInstances(), label);
    } catch {
      return;
    }
    if (!found) return;
    let destroyed = false;
    try {
      await this.destroyInstance(found.instanceId);
      destroyed = true;
    } catch (error) {
      this.logger?.warn(`tensordock: could not delete orphan ${found.instanceId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    throw new CreateFailedError('tensordock', `create instance failed but left instance ${found.instanceId} (${destroyed ? 'deleted' : 'NOT deleted'}): ${failure.message}`, found.instanceId, destroyed, {
      cause: failure,
      running: found.state === 'running',
    });
  }
}
