// The TensorDock v2 API simulator: real HTTP on loopback, a seeded host-node market whose capacity is
// consumed by creates, the instance lifecycle with billing ground truth, the documented quirks, faults,
// node ports that are really free on this machine, and (with a state file) instances that outlive a restart.
import { systemClock, type Clock } from '@gpu-shopper/domain';
import { adminBillingRow, adminInstanceRow, registerAdminRoutes, type SimBillingRow } from '../shared/admin-routes';
import { FaultInjector, type FaultPlan } from '../shared/faults';
import { bearerToken, Router, type SimRequest, type SimResponse } from '../shared/http-server';
import { claimPorts, type PortClaim } from '../shared/node-ports';
import { serveSimulator } from '../shared/serve-simulator';
import { InstanceLifecycle, type SimInstance, type SimPhase } from '../shared/lifecycle';
import { createRandom } from '../shared/prng';
import { readSimulatorState, restoreInstances } from '../shared/simulator-state';
import { StateFile } from '../shared/state-file';
import type { OnInstanceRunning } from '../runtime/node-runtime';
import type { RecordedRequest } from '../vastai/simulator';
import { drawAdvertisedPorts, freshenAdvertisedPorts } from './advertised-ports';
import { generateTensorDockCatalog, renderHostnode, renderLocations, type TdSimHostnode, type TdSimLocation } from './catalog';
import { restoreTensorDockState, tensorDockStateOf, type TdSimState } from './tensordock-state';
import { formToken, tensorDockAccountHandlers } from './account-routes';
import { SlidingWindowLimiter, TENSORDOCK_RATE_LIMIT_PER_MINUTE } from './rate-limit';
import { casedStatus, ResponseVariation, variedIp, variedPortForwards } from './response-variation';

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

export interface TdInstanceData {
  name: string;
  host: TdSimHostnode;
  gpuCount: number;
  vcpus: number;
  ramGb: number;
  storageGb: number;
  portForwards: { internal_port: number; external_port: number }[];
  cloudInit: unknown;
  sshKey: string | null;
  image: string;
  ipAddress: string;
  rateHourlyUsd: number;
}

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

/** The status TensorDock shows for a phase, lower-case (the variation capitalizes it: "StoppedDisassociated"). */
function statusText(phase: SimPhase): string {
  switch (phase) {
    case 'provisioning':
    case 'loading':
      return 'starting';
    case 'running':
      return 'running';
    case 'failed':
      // TensorDock documents no failure status (its enum is unconfirmed); "error" is what clients
      // (ours, the Terraform provider) read as a failed VM.
      return 'error';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'stopped_disassociated';
    case 'exiting':
      return 'deleting';
    case 'destroyed':
      return 'deleted';
  }
}

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
        releaseResources(instance.data);
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

  function releaseResources(data: Pick<TdInstanceData, 'host' | 'gpuCount' | 'vcpus' | 'ramGb' | 'storageGb' | 'portForwards'>): void {
    data.host.gpu.availableCount += data.gpuCount;
    data.host.vcpuCount += data.vcpus;
    data.host.ramGb += data.ramGb;
    data.host.storageGb += data.storageGb;
    data.host.availablePorts.push(...data.portForwards.map((forward) => forward.external_port));
  }

  function endpoint(name: string, handler: (request: SimRequest) => SimResponse | Promise<SimResponse>) {
    return async (request: SimRequest): Promise<SimResponse> => {
      requests.push({ method: request.method, path: request.path, endpoint: name, body: request.body });
      lifecycle.tick();
      const delayMs = faults.latencyFor(name);
      // v0 endpoints take the token as a form field (api_token) instead of a bearer header.
      const token = bearerToken(request.headers) ?? formToken(request);
      if (options.apiToken !== undefined && token !== options.apiToken) {
        return { status: 401, body: { error: 'Unauthorized', status: 401 }, delayMs };
      }
      const rate = limiter?.take(token ?? 'anonymous');
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
      status: casedStatus(statusText(instance.phase), variant.capitalizedStatus),
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

  async function create(request: SimRequest): Promise<SimResponse> {
    const attributes = ((request.body as { data?: { attributes?: Record<string, unknown> } } | undefined)?.data?.attributes ?? null) as Record<string, unknown> | null;
    if (!attributes) return { status: 400, body: { error: 'Invalid request body: expected {"data":{"attributes":{...}}}', status: 400 } };
    const host = hostById.get(String(attributes.hostnode_id ?? ''));
    const resources = (attributes.resources ?? {}) as { vcpu_count?: unknown; ram_gb?: unknown; storage_gb?: unknown; gpus?: Record<string, { count?: unknown }> };
    const vcpus = Number(resources.vcpu_count);
    const ramGb = Number(resources.ram_gb);
    const storageGb = Number(resources.storage_gb);
    const [gpuName, gpuSpec] = Object.entries(resources.gpus ?? {})[0] ?? [];
    const gpuCount = Number(gpuSpec?.count ?? 0);
    const forwards = Array.isArray(attributes.port_forwards) ? (attributes.port_forwards as { internal_port?: unknown; external_port?: unknown }[]) : [];
    const invalid =
      typeof attributes.name !== 'string' || attributes.name === ''
        ? 'name is required'
        : typeof attributes.ssh_key !== 'string' && typeof attributes.ssh_key_id !== 'string'
          ? 'SSH key required'
          : !Number.isInteger(vcpus) || vcpus < 2 || vcpus % 2 !== 0
            ? 'vcpu_count must be an even number >= 2'
            : !Number.isFinite(ramGb) || ramGb < 2
              ? 'ram_gb must be >= 2'
              : !Number.isFinite(storageGb) || storageGb < MIN_STORAGE_GB
                ? `storage_gb must be at least ${MIN_STORAGE_GB}`
                : null;
    if (invalid) return { status: 400, body: { error: invalid, status: 400 } };
    const externalPorts = forwards.map((forward) => Number(forward.external_port));
    // Capacity problems come back as an error object inside HTTP 200, as TensorDock does.
    const unavailable =
      !host ||
      gpuName !== host.gpu.model.tensordockName ||
      gpuCount < 1 ||
      gpuCount > host.gpu.availableCount ||
      vcpus > host.vcpuCount ||
      ramGb > host.ramGb ||
      storageGb > host.storageGb ||
      externalPorts.some((port) => !host.availablePorts.includes(port));
    if (unavailable || !host) return { status: 200, body: { error: 'Hostnode unavailable', status: 400 } };
    host.gpu.availableCount -= gpuCount;
    host.vcpuCount -= vcpus;
    host.ramGb -= ramGb;
    host.storageGb -= storageGb;
    host.availablePorts = host.availablePorts.filter((port) => !externalPorts.includes(port));
    const ports = await claimPorts(externalPorts);
    if (ports === null) {
      // Advertised but taken on this machine since it was read: the host cannot forward it, as on a real
      // node whose port went to someone else. Give everything back with fresh ports for the retry.
      releaseResources({ host, gpuCount, vcpus, ramGb, storageGb, portForwards: externalPorts.map((port) => ({ internal_port: 0, external_port: port })) });
      await freshenAdvertisedPorts(host, externalPorts);
      return { status: 200, body: { error: 'Hostnode unavailable', status: 400 } };
    }
    const computePerHourUsd = gpuCount * host.gpu.pricePerHourUsd + vcpus * host.pricing.per_vcpu_hr + ramGb * host.pricing.per_gb_ram_hr;
    const storagePerHourUsd = storageGb * host.pricing.per_gb_storage_hr;
    const id = `${(seed % 0xffff).toString(16).padStart(4, '0')}${(nextId++).toString(16).padStart(4, '0')}-0000-4000-8000-${'0'.repeat(12)}`;
    portClaims.set(id, ports);
    const name = String(attributes.name);
    lifecycle.create(
      id,
      {
        name,
        host,
        gpuCount,
        vcpus,
        ramGb,
        storageGb,
        portForwards: forwards.map((forward) => ({ internal_port: Number(forward.internal_port), external_port: Number(forward.external_port) })),
        cloudInit: attributes.cloud_init ?? null,
        sshKey: typeof attributes.ssh_key === 'string' ? attributes.ssh_key : null,
        image: String(attributes.image ?? 'ubuntu2404'),
        ipAddress: options.nodePublicIp ?? `198.51.100.${(nextId % 250) + 1}`,
        rateHourlyUsd: computePerHourUsd + storagePerHourUsd,
      },
      { computePerHourUsd, storagePerHourUsd },
      { stuckLoading: faults.take('stuckLoading') !== null },
    );
    // The id is handed out: it must survive a crash right after this answer.
    stateFile?.flush();
    const failing = faults.take('createErrorsButCreates');
    if (failing) return { status: failing.status ?? 500, body: { error: 'Internal server error', status: failing.status ?? 500 } };
    return { status: 200, body: { data: { type: 'virtualmachine', id, name, status: 'running' } } };
  }

  function list(): SimResponse {
    if (faults.take('listingUnexpectedShape')) return { status: 200, body: { data: { items: null } } };
    const variant = variation.next('list');
    const items = lifecycle.live().map((instance) => ({ type: 'VM', id: instance.id, attributes: { name: instance.data.name, status: casedStatus(statusText(instance.phase), variant.capitalizedStatus) } }));
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
    .on('POST', '/api/v0/billing/balance', endpoint('billing', account.balance))
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
