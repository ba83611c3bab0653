// The TensorDock API simulator (v2, plus the v0 surface older scripts use: v0-routes.ts): real HTTP on
// loopback, a seeded host-node market whose capacity is consumed by creates (deploy.ts), the instance
// lifecycle with billing ground truth, the documented quirks, faults, node ports that are really free on
// this machine, and (with a state file) instances that outlive a restart.
import { systemClock, type Clock } from '@gpu-shopper/domain';
import { adminBillingRow, adminInstanceRow, registerAdminRoutes, type SimBillingRow } from '../shared/admin-routes';
import { FaultInjector, type FaultPlan } from '../shared/faults';
import { bearerToken, Router, type Handler, type SimRequest, type SimResponse } from '../shared/http-server';
import type { PortClaim } from '../shared/node-ports';
import { serveSimulator } from '../shared/serve-simulator';
import { InstanceLifecycle, type SimInstance } from '../shared/lifecycle';
import { createRandom } from '../shared/prng';
import { readSimulatorState, restoreInstances } from '../shared/simulator-state';
import { StateFile } from '../shared/state-file';
import type { OnInstanceRunning } from '../runtime/node-runtime';
import type { RecordedRequest } from '../vastai/simulator';
import { drawAdvertisedPorts, freshenAdvertisedPorts } from './advertised-ports';
import { generateTensorDockCatalog, renderHostnode, renderLocations, type TdSimHostnode, type TdSimLocation } from './catalog';
import { restoreTensorDockState, tensorDockStateOf, type TdSimState } from './tensordock-state';
import { tensorDockAccountHandlers } from './account-routes';
import { deployVm, releaseHostResources, type VmDeployContext } from './deploy';
import { tensorDockStatusText, type TdInstanceData } from './instance-data';
import { SlidingWindowLimiter, TENSORDOCK_RATE_LIMIT_PER_MINUTE } from './rate-limit';
import { casedStatus, ResponseVariation, variedIp, variedPortForwards } from './response-variation';
import { v0Error, v0Token } from './v0-protocol';
import { registerTensorDockV0Routes } from './v0-routes';

export interface TensorDockSimulatorOptions {
  port?: number;
  /** When `port` is taken, take any free one (a restart that would like its old port back). */
  anyPortIfTaken?: boolean;
  host?: string;
  seed?: number;
  hostnodeCount?: number;
  clock?: Clock;
  /** When set, requests must carry `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
  faults?: FaultPlan;
  bootDelayMs?: number;
  onInstanceRunning?: OnInstanceRunning;
  /** The address instances report (e.g. 127.0.0.1 when their nodes run as local processes). */
  nodePublicIp?: string;
  tickIntervalMs?: number;
  /**
   * Requests per minute per token (on the simulator's clock), TensorDock's documented 100 by default; 0 turns it off
   * (a load test that measures something else). Our adapter's request budget stays under it.
   */
  rateLimitPerMinute?: number;
  /** Milliseconds for the rate-limit window; default the simulator's clock. */
  rateLimitNowMs?: () => number;
  /** Where the state lives across restarts (a JSON file); without it nothing is written. */
  statePath?: string;
  /** Simulator events worth an operator's eye (a node that died). */
  log?: (message: string) => void;
}

export type { TdInstanceData } from './instance-data';

export interface TensorDockSimulator {
  url: string;
  close(): Promise<void>;
  clock: Clock;
  faults: FaultInjector;
  locations: TdSimLocation[];
  hostnodes: TdSimHostnode[];
  lifecycle: InstanceLifecycle<TdInstanceData>;
  requests: RecordedRequest[];
  /** Takes every free GPU of `count` host nodes (someone else rented them). */
  rentOutHostnodes(count: number): string[];
  tick(): void;
  billing(from?: Date, to?: Date): SimBillingRow[];
}

export const DEFAULT_TD_SIM_HOSTNODE_COUNT = 300;
const MIN_STORAGE_GB = 100;

export async function startTensorDockSimulator(options: TensorDockSimulatorOptions = {}): Promise<TensorDockSimulator> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const { locations, hostnodes } = generateTensorDockCatalog({ seed, hostnodeCount: options.hostnodeCount ?? DEFAULT_TD_SIM_HOSTNODE_COUNT });
  const hostById = new Map(hostnodes.map((host) => [host.id, host]));
  drawAdvertisedPorts(hostnodes);
  const random = createRandom(seed ^ 0x7d5eed);
  const faults = new FaultInjector(random, () => ({ status: 429, body: { error: 'Rate limit exceeded', status: 429 } }));
  if (options.faults) faults.set(options.faults);
  const requests: RecordedRequest[] = [];
  const rateLimitPerMinute = options.rateLimitPerMinute ?? TENSORDOCK_RATE_LIMIT_PER_MINUTE;
  const limiter = rateLimitPerMinute > 0 ? new SlidingWindowLimiter(rateLimitPerMinute, options.rateLimitNowMs ?? (() => clock.now().getTime())) : null;
  const variation = new ResponseVariation();
  const header = { version: 1, provider: 'tensordock', seed } as const;
  const stored = readSimulatorState<TdSimState>(options.statePath, header);
  let nextId = stored?.nextId ?? 1;
  let baseUrl = '';
  /** External ports per instance, held from create until the node starts, released when it is deleted. */
  const portClaims = new Map<string, PortClaim>();
  const stateFile = options.statePath === undefined ? null : new StateFile(options.statePath, () => tensorDockStateOf(header, nextId, hostnodes, lifecycle.instances.values()));

  const lifecycle: InstanceLifecycle<TdInstanceData> = new InstanceLifecycle<TdInstanceData>({
    clock,
    bootDelayMs: options.bootDelayMs ?? 0,
    onInstanceRunning: options.onInstanceRunning,
    name: 'tensordock',
    log: options.log,
    onChange: (_instance, urgent) => (urgent ? stateFile?.flush() : stateFile?.markDirty()),
    onPhaseChange: (instance) => {
      if (instance.phase === 'running') portClaims.get(instance.id)?.unhold();
      if (instance.phase === 'destroyed') {
        releaseHostResources(instance.data);
        portClaims.get(instance.id)?.release();
        portClaims.delete(instance.id);
      }
    },
    launchFor: (instance) => ({
      provider: 'tensordock',
      instanceId: instance.id,
      label: instance.data.name,
      env: {},
      onstart: null,
      cloudInit: instance.data.cloudInit,
      portMappings: Object.fromEntries(instance.data.portForwards.map((forward) => [forward.internal_port, forward.external_port])),
      providerApiUrl: baseUrl,
    }),
  });

  /**
   * Wraps a handler: request recording, auth, the rate limit, injected faults and latency. v2 takes a
   * bearer token and is rate limited; v0 takes api_token as a body field, answers errors in its own
   * shape and documents no rate limit ("We do not rate limit"); v0 host-node discovery needs no token.
   */
  function endpoint(name: string, handler: Handler, access: { api: 'v2' | 'v0'; anonymous?: boolean } = { api: 'v2' }): Handler {
    return async (request: SimRequest): Promise<SimResponse> => {
      requests.push({ method: request.method, path: request.path, endpoint: name, body: request.body });
      lifecycle.tick();
      const delayMs = faults.latencyFor(name);
      const token = access.api === 'v0' ? v0Token(request) : bearerToken(request.headers);
      if (!access.anonymous && options.apiToken !== undefined && token !== options.apiToken) {
        return { ...(access.api === 'v0' ? v0Error(401, 'Invalid api_key or api_token') : { status: 401, body: { error: 'Unauthorized', status: 401 } }), delayMs };
      }
      const rate = access.api === 'v2' ? limiter?.take(token ?? 'anonymous') : undefined;
      if (rate && !rate.allowed) return { status: 429, body: { error: 'Rate limit exceeded', status: 429 }, headers: rate.headers, delayMs };
      const injected = faults.errorFor(name);
      if (injected) return { ...injected, headers: { ...rate?.headers, ...injected.headers }, delayMs };
      const response = await handler(request);
      return { ...response, headers: { ...rate?.headers, ...response.headers }, delayMs: (response.delayMs ?? 0) + delayMs };
    };
  }

  function renderInstance(instance: SimInstance<TdInstanceData>, variant: ReturnType<ResponseVariation['next']>): Record<string, unknown> {
    const data = instance.data;
    return {
      type: 'virtualmachine',
      id: instance.id,
      name: data.name,
      status: casedStatus(tensorDockStatusText(instance.phase), variant.capitalizedStatus),
      ipAddress: variedIp(data.ipAddress, variant.paddedIp),
      rateHourly: data.rateHourlyUsd,
      portForwards: variedPortForwards(data.portForwards, variant.portsAsStrings),
      resources: {
        vcpu_count: data.vcpus,
        ram_gb: data.ramGb,
        storage_gb: data.storageGb,
        gpus: { [data.host.gpu.model.tensordockName]: { count: data.gpuCount, v0Name: data.host.gpu.model.tensordockName } },
      },
    };
  }

  const deployContext: VmDeployContext = {
    hostById,
    lifecycle,
    faults,
    portClaims,
    allocate: () => {
      const id = `${(seed % 0xffff).toString(16).padStart(4, '0')}${(nextId++).toString(16).padStart(4, '0')}-0000-4000-8000-${'0'.repeat(12)}`;
      return { id, ipAddress: options.nodePublicIp ?? `198.51.100.${(nextId % 250) + 1}` };
    },
    persist: () => stateFile?.flush(),
  };

  async function create(request: SimRequest): Promise<SimResponse> {
    const attributes = ((request.body as { data?: { attributes?: Record<string, unknown> } } | undefined)?.data?.attributes ?? null) as Record<string, unknown> | null;
    if (!attributes) return { status: 400, body: { error: 'Invalid request body: expected {"data":{"attributes":{...}}}', status: 400 } };
    if (typeof attributes.ssh_key !== 'string' && typeof attributes.ssh_key_id !== 'string') return { status: 400, body: { error: 'SSH key required', status: 400 } };
    const resources = (attributes.resources ?? {}) as { vcpu_count?: unknown; ram_gb?: unknown; storage_gb?: unknown; gpus?: Record<string, { count?: unknown }> };
    const [gpuModel, gpuSpec] = Object.entries(resources.gpus ?? {})[0] ?? [];
    const forwards = Array.isArray(attributes.port_forwards) ? (attributes.port_forwards as { internal_port?: unknown; external_port?: unknown }[]) : [];
    const outcome = await deployVm(
      deployContext,
      {
        name: typeof attributes.name === 'string' ? attributes.name : '',
        hostnodeId: String(attributes.hostnode_id ?? ''),
        gpuModel,
        gpuCount: Number(gpuSpec?.count ?? 0),
        vcpus: Number(resources.vcpu_count),
        ramGb: Number(resources.ram_gb),
        storageGb: Number(resources.storage_gb),
        portForwards: forwards.map((forward) => ({ internal_port: Number(forward.internal_port), external_port: Number(forward.external_port) })),
        cloudInit: attributes.cloud_init ?? null,
        sshKey: typeof attributes.ssh_key === 'string' ? attributes.ssh_key : null,
        image: String(attributes.image ?? 'ubuntu2404'),
      },
      { minStorageGb: MIN_STORAGE_GB },
    );
    if (outcome.kind === 'invalid') return { status: 400, body: { error: outcome.message, status: 400 } };
    // Capacity problems come back as an error object inside HTTP 200, as TensorDock does.
    if (outcome.kind === 'unavailable') return { status: 200, body: { error: 'Hostnode unavailable', status: 400 } };
    if (outcome.failingStatus !== null) return { status: outcome.failingStatus, body: { error: 'Internal server error', status: outcome.failingStatus } };
    const { instance } = outcome;
    return { status: 200, body: { data: { type: 'virtualmachine', id: instance.id, name: instance.data.name, status: 'running' } } };
  }

  function list(): SimResponse {
    if (faults.take('listingUnexpectedShape')) return { status: 200, body: { data: { items: null } } };
    const variant = variation.next('list');
    const items = lifecycle.live().map((instance) => ({ type: 'VM', id: instance.id, attributes: { name: instance.data.name, status: casedStatus(tensorDockStatusText(instance.phase), variant.capitalizedStatus) } }));
    // Both documented list envelopes.
    return variant.wrapped ? { status: 200, body: { data: { type: 'list', attributes: { instances: items } } } } : { status: 200, body: { data: { instances: items } } };
  }

  function show(request: SimRequest): SimResponse {
    const instance = lifecycle.get(request.params.id ?? '');
    if (!instance || instance.phase === 'destroyed') return { status: 404, body: { error: 'Instance not found', status: 404 } };
    const variant = variation.next('get');
    const record = renderInstance(instance, variant);
    // Flat (documented) and {"data": ...} wrapped (seen by the Terraform client).
    return variant.wrapped ? { status: 200, body: { data: record } } : { status: 200, body: record };
  }

  function action(request: SimRequest, verb: 'start' | 'stop'): SimResponse {
    const id = request.params.id ?? '';
    const instance = lifecycle.get(id);
    if (!instance || instance.phase === 'destroyed') return { status: 404, body: { error: 'Instance not found', status: 404 } };
    const ok = verb === 'start' ? lifecycle.start(id) : lifecycle.stop(id);
    if (!ok) return { status: 400, body: { error: `Cannot ${verb} an instance that is being deleted`, status: 400 } };
    return { status: 200, body: { data: { type: 'instance', id, attributes: { status: verb === 'start' ? 'starting' : 'stopping' } } } };
  }

  function remove(request: SimRequest): SimResponse {
    const id = request.params.id ?? '';
    const hang = faults.take('destroyTimesOut');
    if (hang && hang.destroys === false) return { status: 200, hang: true };
    const outcome = lifecycle.destroy(id, { stuck: faults.take('stuckExiting') !== null });
    if (hang) return { status: 200, hang: true };
    if (outcome !== 'destroying') return { status: 404, body: { error: 'Instance not found', status: 404 } };
    return { status: 200, body: { data: { type: 'success', attributes: { message: 'Instance deleted successfully' } } } };
  }

  function billing(from?: Date, to?: Date): SimBillingRow[] {
    lifecycle.tick();
    return [...lifecycle.instances.values()].map((instance) => adminBillingRow(instance, instance.data.name, from, to));
  }

  function rentOutHostnodes(count: number): string[] {
    const taken: string[] = [];
    for (const host of hostnodes) {
      if (taken.length >= count) break;
      if (host.gpu.availableCount === 0 || random() < 0.5) continue;
      host.gpu.availableCount = 0;
      taken.push(host.id);
    }
    stateFile?.markDirty();
    return taken;
  }

  let nextSecret = 1;
  const account = tensorDockAccountHandlers({ instances: () => { lifecycle.tick(); return lifecycle.instances.values(); }, newId: () => `${(seed % 0xffff).toString(16).padStart(4, '0')}${(nextSecret++).toString(16).padStart(4, '0')}-5ec0-4000-8000-${'0'.repeat(12)}` });

  const router = new Router()
    .on('POST', '/api/v0/billing/balance', endpoint('billing', account.balance, { api: 'v0' }))
    .on('GET', '/api/v2/secrets', endpoint('secrets', account.listSecrets))
    .on('POST', '/api/v2/secrets', endpoint('secrets', account.createSecret))
    .on('DELETE', '/api/v2/secrets/:id', endpoint('secrets', account.deleteSecret))
    .on('GET', '/api/v2/locations', endpoint('locations', () => ({ status: 200, body: { data: { locations: renderLocations(locations, hostnodes) } } })))
    .on('GET', '/api/v2/hostnodes', endpoint('hostnodes', () => ({ status: 200, body: { data: { hostnodes: hostnodes.map(renderHostnode) } } })))
    .on(
      'GET',
      '/api/v2/hostnodes/:id',
      endpoint('hostnodes', async (request) => {
        const host = hostById.get(request.params.id ?? '');
        if (!host) return { status: 404, body: { error: 'Hostnode not found', status: 404 } };
        await freshenAdvertisedPorts(host);
        return { status: 200, body: { data: renderHostnode(host) } };
      }),
    )
    .on('POST', '/api/v2/instances', endpoint('create', create))
    .on('GET', '/api/v2/instances', endpoint('list', list))
    .on('GET', '/api/v2/instances/:id', endpoint('get', show))
    .on('POST', '/api/v2/instances/:id/start', endpoint('start', (request) => action(request, 'start')))
    .on('POST', '/api/v2/instances/:id/stop', endpoint('stop', (request) => action(request, 'stop')))
    .on('DELETE', '/api/v2/instances/:id', endpoint('destroy', remove));
  registerTensorDockV0Routes(router, (name, handler, { anonymous }) => endpoint(name, handler, { api: 'v0', anonymous }), {
    hostnodes,
    hostById,
    lifecycle,
    deployContext,
    freshenPorts: (host) => freshenAdvertisedPorts(host),
  });
  registerAdminRoutes(router, {
    faults,
    instances: () => {
      lifecycle.tick();
      return [...lifecycle.instances.values()].map((i) => ({
        ...adminInstanceRow(i, i.data.name, Object.fromEntries(i.data.portForwards.map((forward) => [forward.internal_port, forward.external_port]))),
        hostnodeId: i.data.host.id,
      }));
    },
    billing,
    rentOut: { path: 'hostnodes/rent-out', take: rentOutHostnodes },
    releaseStuck: () => lifecycle.release(),
    actions: { vanish: (id) => lifecycle.vanish(id), stop: (id) => lifecycle.stop(id), exit: (id, message) => lifecycle.fail(id, message) },
  });

  if (stored !== null) {
    const claims = await restoreInstances('tensordock', lifecycle, restoreTensorDockState(stored, hostById), (data) => data.portForwards.map((forward) => forward.external_port));
    for (const [id, claim] of claims) portClaims.set(id, claim);
  }
  const server = await serveSimulator(router, lifecycle, {
    port: options.port,
    anyPortIfTaken: options.anyPortIfTaken,
    host: options.host,
    tickIntervalMs: options.tickIntervalMs,
    notFound: { status: 404, body: { error: 'Not found', status: 404 } },
    onClose: () => {
      stateFile?.close();
      for (const claim of portClaims.values()) claim.release();
      portClaims.clear();
    },
  });
  baseUrl = server.url;
  // Restored running instances get their nodes back (pointed at this run's URL).
  lifecycle.resumeNodes();
  stateFile?.flush();

  return {
    url: server.url,
    close: server.close,
    clock,
    faults,
    locations,
    hostnodes,
    lifecycle,
    requests,
    rentOutHostnodes,
    tick: () => lifecycle.tick(),
    billing,
  };
}
