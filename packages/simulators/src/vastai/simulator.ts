// The Vast.ai API simulator: real HTTP on loopback, a seeded catalog, the instance lifecycle with
// billing ground truth, auth (account key and instance-scoped CONTAINER_API_KEY), fault injection,
// node ports that are really free on this machine, and (with a state file) instances that outlive a restart.
import { systemClock, type Clock } from '@gpu-shopper/domain';
import { adminBillingRow, adminInstanceRow, registerAdminRoutes, type SimBillingRow } from '../shared/admin-routes';
import { FaultInjector, type FaultPlan } from '../shared/faults';
import { bearerToken, Router, type SimRequest, type SimResponse } from '../shared/http-server';
import { claimFreePorts, type PortClaim } from '../shared/node-ports';
import { serveSimulator } from '../shared/serve-simulator';
import { InstanceLifecycle, type SimInstance } from '../shared/lifecycle';
import { createRandom, intBetween } from '../shared/prng';
import { readSimulatorState, restoreInstances } from '../shared/simulator-state';
import { StateFile } from '../shared/state-file';
import type { OnInstanceRunning } from '../runtime/node-runtime';
import { generateVastCatalog, serveVastOffer, type VastSimOffer } from './catalog';
import { parseVastEnv, renderVastInstance, requestedVastPorts, type VastInstanceData } from './instance-record';
import { matchesVastQuery, parseVastQuery, sortVastRecords, VastQueryError } from './search-query';
import { restoreVastState, vastStateOf, type VastSimState } from './vast-state';
import { newVastAccount, vastAccountHandlers } from './account-routes';
import { applyBid, bidProblem, releaseGpu, startOrSchedule, vastInstanceActionHandlers } from './instance-actions';
import { registerHostAccountRoutes, VastHostAccount } from './host-account';

export interface VastAiSimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** When `port` is taken, take any free one (a restart that would like its old port back). */
  anyPortIfTaken?: boolean;
  host?: string;
  seed?: number;
  offerCount?: number;
  clock?: Clock;
  /** When set, requests must carry this Bearer key (search also works anonymously, as on the real API). */
  apiKey?: string;
  faults?: FaultPlan;
  /** Create -> running. Default 0 (tests); the demo uses a few seconds. */
  bootDelayMs?: number;
  onInstanceRunning?: OnInstanceRunning;
  /** The address instances report (e.g. 127.0.0.1 when their nodes run as local processes). */
  nodePublicIp?: string;
  /** Re-evaluate lifecycles on a timer (needed with a real clock so running hooks fire unobserved). Default: off. */
  tickIntervalMs?: number;
  /** Where the state lives across restarts (a JSON file); without it nothing is written. */
  statePath?: string;
  /** Simulator events worth an operator's eye (a node that died). */
  log?: (message: string) => void;
  /** Makes the account a hosting account of this host_id: it may rent only that host's offers (see host-account.ts). */
  accountHostId?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  endpoint: string;
  body: unknown;
}

export interface VastAiSimulator {
  url: string;
  close(): Promise<void>;
  clock: Clock;
  faults: FaultInjector;
  offers: VastSimOffer[];
  lifecycle: InstanceLifecycle<VastInstanceData>;
  /** Every request received, in order (for assertions). */
  requests: RecordedRequest[];
  /** Whose key this is: a plain renter (hostId null) or a hosting account, which may rent only its own offers. */
  hostAccount: VastHostAccount;
  /** Marks `count` rentable offers as rented by someone else: they disappear from search. */
  rentOutOffers(count: number): number[];
  /** Applies due state changes and accrues billing up to the clock's now. */
  tick(): void;
  /** Billing ground truth per instance over [from, to). */
  billing(from?: Date, to?: Date): SimBillingRow[];
}

export const DEFAULT_VAST_SIM_OFFER_COUNT = 2000;
const MAX_ONSTART_CHARS = 4048;
const V1_PAGE_LIMIT = 25;

type Caller = { kind: 'anonymous' } | { kind: 'account' } | { kind: 'instance'; instanceId: string };

/** Vast's three 429 dialects, rotated so clients must handle all of them. */
function vastRateLimitResponse(endpoint: string, turn: number): SimResponse {
  const variant = turn % 3;
  if (variant === 0) return { status: 429, text: 'API requests too frequent endpoint threshold=1.0' };
  if (variant === 1) return { status: 429, body: { detail: `API requests too frequent endpoint threshold=4.5 (${endpoint})` } };
  return { status: 429, body: { success: false, error: 'rate_limit_exceeded', msg: 'API requests too frequent endpoint threshold=3.0' } };
}

/** Computed fields cannot be filtered in the v1 list (documented: they answer 400). */
const V1_COMPUTED_FIELDS = new Set(['dph_total', 'num_gpus', 'dph_base', 'storage_total_cost', 'duration']);

function v1FilterProblem(raw: string | null): string | null {
  if (raw === null) return null;
  let filters: unknown;
  try {
    filters = JSON.parse(raw);
  } catch {
    return 'select_filters is not JSON';
  }
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters)) return 'select_filters must be an object';
  const computed = Object.keys(filters).find((field) => V1_COMPUTED_FIELDS.has(field));
  return computed === undefined ? null : `${computed} is not a valid search key`;
}

function encodeToken(afterId: number): string {
  return Buffer.from(JSON.stringify({ values: { id: afterId } })).toString('base64');
}

function decodeToken(token: string | null): number {
  if (!token) return Number.NEGATIVE_INFINITY;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { values?: { id?: unknown } };
    return typeof parsed.values?.id === 'number' ? parsed.values.id : Number.NEGATIVE_INFINITY;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

export async function startVastAiSimulator(options: VastAiSimulatorOptions = {}): Promise<VastAiSimulator> {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const offers = generateVastCatalog({ seed, offerCount: options.offerCount ?? DEFAULT_VAST_SIM_OFFER_COUNT, nowMs: clock.now().getTime() });
  const offersById = new Map(offers.map((offer) => [offer.id, offer]));
  const random = createRandom(seed ^ 0x5eed);
  let rateLimitTurn = 0;
  const faults = new FaultInjector(random, (endpoint) => vastRateLimitResponse(endpoint, rateLimitTurn++));
  if (options.faults) faults.set(options.faults);
  const requests: RecordedRequest[] = [];
  const hostAccount = new VastHostAccount(options.accountHostId ?? null);
  const header = { version: 1, provider: 'vastai', seed } as const;
  const stored = readSimulatorState<VastSimState>(options.statePath, header);
  let nextInstanceId = stored?.nextInstanceId ?? 30_000_000 + (seed % 1000) * 1000;
  let baseUrl = '';
  /** Node ports per instance, held from create until the node starts, released when it is destroyed. */
  const portClaims = new Map<string, PortClaim>();
  const stateFile = options.statePath === undefined ? null : new StateFile(options.statePath, () => vastStateOf(header, nextInstanceId, offers, lifecycle.instances.values()));

  const lifecycle: InstanceLifecycle<VastInstanceData> = new InstanceLifecycle<VastInstanceData>({
    clock,
    bootDelayMs: options.bootDelayMs ?? 0,
    onInstanceRunning: options.onInstanceRunning,
    name: 'vastai',
    log: options.log,
    onChange: (_instance, urgent) => (urgent ? stateFile?.flush() : stateFile?.markDirty()),
    onPhaseChange: (instance, from) => {
      if (instance.phase === 'running') portClaims.get(instance.id)?.unhold();
      if (instance.phase === 'running' && Object.keys(instance.data.portMappings).length === 0) {
        // Only instances made behind the API's back (benchmarks) get here: the API claims free ports at create.
        for (const port of instance.data.requestedPorts) instance.data.portMappings[port] = intBetween(random, 20_000, 60_000);
      }
      if (instance.phase === 'destroyed' && from !== 'destroyed') {
        // The offer returns to the market once the contract is released.
        instance.data.offer.rented = false;
        portClaims.get(instance.id)?.release();
        portClaims.delete(instance.id);
      }
    },
    launchFor: (instance) => ({
      provider: 'vastai',
      instanceId: instance.id,
      label: instance.data.label,
      env: {
        ...Object.fromEntries(Object.entries(instance.data.env).filter(([key]) => !key.startsWith('-'))),
        ...Object.fromEntries(Object.entries(instance.data.portMappings).map(([internal, external]) => [`VAST_TCP_PORT_${internal}`, String(external)])),
        CONTAINER_ID: instance.id,
        CONTAINER_API_KEY: instance.data.containerApiKey,
        VAST_CONTAINERLABEL: `C.${instance.id}`,
        PUBLIC_IPADDR: instance.data.publicIp,
      },
      onstart: instance.data.onstart,
      cloudInit: null,
      portMappings: { ...instance.data.portMappings },
      providerApiUrl: baseUrl,
    }),
  });

  function findByContainerKey(token: string): SimInstance<VastInstanceData> | undefined {
    for (const instance of lifecycle.instances.values()) if (instance.data.containerApiKey === token) return instance;
    return undefined;
  }

  function authenticate(request: SimRequest): Caller | null {
    const token = bearerToken(request.headers) ?? request.query.get('api_key');
    if (token !== null) {
      const scoped = findByContainerKey(token);
      if (scoped) return { kind: 'instance', instanceId: scoped.id };
    }
    if (options.apiKey === undefined) return { kind: 'account' };
    if (token === null) return { kind: 'anonymous' };
    return token === options.apiKey ? { kind: 'account' } : null;
  }

  type Access = 'anonymous' | 'account' | 'instance';
  /** Wraps a handler with request recording, auth, injected faults and latency. */
  function endpoint(name: string, access: Access, handler: (request: SimRequest, caller: Caller) => SimResponse | Promise<SimResponse>) {
    return async (request: SimRequest): Promise<SimResponse> => {
      requests.push({ method: request.method, path: request.path, endpoint: name, body: request.body });
      lifecycle.tick();
      const delayMs = faults.latencyFor(name);
      const caller = authenticate(request);
      // An unknown key: 401 on most endpoints, 404 on /charges (as documented).
      if (caller === null) return { status: name === 'charges' ? 404 : 401, body: { success: false, error: 'auth_error', msg: 'Invalid user key' }, delayMs };
      if (caller.kind === 'anonymous' && access !== 'anonymous') {
        return name === 'charges'
          ? { status: 403, body: { success: false, error: 'auth_error', msg: 'This action requires login.' }, delayMs }
          : { status: 401, body: { success: false, error: 'auth_error', msg: 'Invalid user key' }, delayMs };
      }
      // A container key may touch only its own instance.
      if (caller.kind === 'instance' && (access !== 'instance' || request.params.id !== caller.instanceId)) {
        return { status: 403, body: { success: false, error: 'auth_error', msg: 'This key is scoped to another instance.' }, delayMs };
      }
      const injected = faults.errorFor(name);
      if (injected) return { ...injected, delayMs };
      const response = await handler(request, caller);
      return { ...response, delayMs: (response.delayMs ?? 0) + delayMs };
    };
  }

  function search(rawQuery: unknown): SimResponse {
    let query;
    try {
      query = parseVastQuery(rawQuery);
    } catch (error) {
      if (error instanceof VastQueryError) return { status: 400, body: { error: 'invalid_request', msg: error.message } };
      throw error;
    }
    const nowMs = clock.now().getTime();
    const matching: Record<string, unknown>[] = [];
    for (const offer of offers) {
      if (offer.rented) continue;
      const record = serveVastOffer(offer, query.allocatedStorageGb, nowMs, query.offerType);
      if ((record.duration as number) <= 0) continue;
      if (matchesVastQuery(record, query)) matching.push(record);
    }
    return { status: 200, body: { offers: sortVastRecords(matching, query.order).slice(0, query.limit) } };
  }

  async function create(request: SimRequest): Promise<SimResponse> {
    const askId = Number(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const offer = offersById.get(askId);
    if (!offer) {
      return { status: 404, body: { success: false, error: 'invalid_args', msg: `error 404/3603: no_such_ask Instance type by id ${askId} is not available.`, ask_id: askId } };
    }
    const notYourOwn = hostAccount.refusal(offer);
    if (notYourOwn) return notYourOwn;
    if (offer.rented) {
      return { status: 410, body: { success: false, error: 'no_such_ask', msg: `error 410/3907: no_such_ask Instance type ${askId} is no longer available.`, ask_id: askId } };
    }
    const env = parseVastEnv(body.env);
    const onstart = body.onstart === undefined || body.onstart === null ? null : String(body.onstart);
    const diskGb = body.disk === undefined ? 8 : Number(body.disk);
    const problem =
      typeof body.image !== 'string' || body.image === ''
        ? "'image' is required"
        : env === null
          ? "'env' must be an object or a string"
          : onstart !== null && onstart.length > MAX_ONSTART_CHARS
            ? `onstart is limited to ${MAX_ONSTART_CHARS} characters`
            : !Number.isFinite(diskGb) || diskGb <= 0 || diskGb > (offer.record.disk_space as number)
              ? `disk ${String(body.disk)} GB does not fit on this host`
              : null;
    if (problem !== null || env === null) {
      return { status: 400, body: { success: false, error: 'invalid_args', msg: `error 400/3467: Invalid args: ${problem ?? 'env'}`, ask_id: askId } };
    }
    // A price makes the instance interruptible (a bid for the whole machine); absent or null: on-demand.
    const bidPerHourUsd = body.price === undefined || body.price === null ? null : Number(body.price);
    if (bidPerHourUsd !== null && bidProblem(body.price) !== null) {
      return { status: 400, body: { success: false, error: 'invalid_price', msg: `error 400/3467: ${bidProblem(body.price) ?? ''}`, ask_id: askId } };
    }
    const runtype = typeof body.runtype === 'string' ? body.runtype : 'ssh';
    const requestedPorts = requestedVastPorts(env);
    if (/ssh_direc/.test(runtype) && !requestedPorts.includes(22)) requestedPorts.push(22);
    offer.rented = true;
    // Vast maps each requested port to a host port; here free ones of this machine, which all nodes share.
    let ports: PortClaim;
    try {
      ports = await claimFreePorts(requestedPorts.length);
    } catch (error) {
      offer.rented = false;
      throw error;
    }
    const id = String(nextInstanceId++);
    portClaims.set(id, ports);
    const containerApiKey = `ck_${id}_${Math.floor(random() * 1e12).toString(36)}`;
    const stuckLoading = faults.take('stuckLoading') !== null;
    lifecycle.create(
      id,
      {
        offer,
        label: typeof body.label === 'string' ? body.label : null,
        image: body.image as string,
        env,
        onstart,
        runtype,
        diskGb,
        containerApiKey,
        portMappings: Object.fromEntries(requestedPorts.map((internal, index) => [internal, ports.ports[index]!])),
        requestedPorts,
        publicIp: options.nodePublicIp ?? offer.record.public_ipaddr as string,
        sshPort: intBetween(random, 10_000, 40_000),
        bidPerHourUsd,
      },
      { computePerHourUsd: bidPerHourUsd ?? (offer.record.dph_base as number), storagePerHourUsd: ((offer.record.storage_cost as number) * diskGb) / 720 },
      { stuckLoading },
    );
    // Too low a bid: Vast creates the instance stopped (outbid) and says the create failed, naming it.
    const outbid = bidPerHourUsd !== null && applyBid(lifecycle, lifecycle.instances.get(id)!, bidPerHourUsd) === 'outbid';
    // The id is handed out: it must survive a crash right after this answer.
    stateFile?.flush();
    const failing = faults.take('createErrorsButCreates');
    if (outbid) {
      return { status: 200, body: { success: false, error: 'insufficient_bid', msg: `Your bid is below the minimum for this machine (${String(offer.record.min_bid)} $/h): the instance was created stopped.`, new_contract: Number(id) } };
    }
    if (failing) {
      return {
        status: failing.status ?? 500,
        body: { success: false, error: 'server_error', msg: 'error 500: internal error while starting the instance', ...(failing.includeInstanceId === false ? {} : { new_contract: Number(id) }) },
      };
    }
    return { status: 200, body: { success: true, new_contract: Number(id), instance_api_key: containerApiKey } };
  }

  function show(request: SimRequest): SimResponse {
    const instance = lifecycle.get(request.params.id ?? '');
    if (!instance) return { status: 404, body: { success: false, error: 'not_found', msg: 'Instance not found' } };
    if (instance.phase === 'destroyed') return { status: 200, body: { instances: null } };
    return { status: 200, body: { instances: renderVastInstance(instance, clock.now().getTime()) } };
  }

  function listV1(request: SimRequest): SimResponse {
    if (faults.take('listingUnexpectedShape')) return { status: 200, body: { success: true, rows: [], total: 0 } };
    const filterProblem = v1FilterProblem(request.query.get('select_filters'));
    if (filterProblem !== null) return { status: 400, body: { error: 'invalid_request', msg: `Error in query parameters: ${filterProblem}` } };
    const limitRaw = Number(request.query.get('limit') ?? V1_PAGE_LIMIT);
    const limit = limitRaw <= 0 || !Number.isFinite(limitRaw) ? 5 : Math.min(V1_PAGE_LIMIT, Math.floor(limitRaw));
    const afterId = decodeToken(request.query.get('after_token'));
    const nowMs = clock.now().getTime();
    const all = lifecycle.live().sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.filter((instance) => Number(instance.id) > afterId).slice(0, limit);
    const last = page.at(-1);
    const hasMore = last !== undefined && all.some((instance) => Number(instance.id) > Number(last.id));
    const labelCounts: Record<string, number> = {};
    for (const instance of all) if (instance.data.label) labelCounts[instance.data.label] = (labelCounts[instance.data.label] ?? 0) + 1;
    return {
      status: 200,
      body: {
        success: true,
        instances_found: page.length,
        total_instances: all.length,
        label_counts: labelCounts,
        next_token: hasMore && last ? encodeToken(Number(last.id)) : null,
        instances: page.map((instance) => renderVastInstance(instance, nowMs)),
      },
    };
  }

  function listV0(): SimResponse {
    if (faults.take('listingUnexpectedShape')) return { status: 200, body: { success: true, rows: [] } };
    const nowMs = clock.now().getTime();
    const all = lifecycle.live().sort((a, b) => Number(a.id) - Number(b.id));
    return { status: 200, body: { instances_found: all.length, instances: all.map((instance) => renderVastInstance(instance, nowMs)) } };
  }

  function destroy(request: SimRequest): SimResponse {
    const id = request.params.id ?? '';
    if (!/^\d+$/.test(id)) return { status: 400, body: { success: false, error: 'invalid_args', msg: 'invalid instance_id' } };
    const hang = faults.take('destroyTimesOut');
    if (hang && hang.destroys === false) return { status: 200, hang: true };
    const stuck = faults.take('stuckExiting') !== null;
    const outcome = lifecycle.destroy(id, { stuck });
    if (hang) return { status: 200, hang: true };
    if (outcome === 'unknown') return { status: 404, body: { success: false, error: 'not_found', msg: 'Instance not found' } };
    if (outcome === 'already_gone') return { status: 200, body: { success: false, error: 'no_such_instance', msg: `Instance ${id} does not exist.` } };
    return { status: 200, body: { success: true, msg: 'destroying instance' } };
  }

  function manage(request: SimRequest): SimResponse {
    const id = request.params.id ?? '';
    const instance = lifecycle.get(id);
    if (!instance) return { status: 404, body: { success: false, error: 'not_found', msg: 'Instance not found' } };
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (instance.phase === 'destroyed' || instance.phase === 'exiting') return { status: 200, body: { success: false, msg: `Instance ${id} is being destroyed.` } };
    if (typeof body.label === 'string') {
      if (body.label.length > 1024) return { status: 400, body: { success: false, error: 'invalid_args', msg: 'label too long' } };
      instance.data.label = body.label;
      stateFile?.markDirty();
    }
    if (body.state === 'stopped') {
      instance.data.scheduling = false;
      lifecycle.stop(id);
    } else if (body.state === 'running') startOrSchedule(lifecycle, instance);
    else if (body.state !== undefined) return { status: 400, body: { success: false, error: 'invalid_args', msg: `invalid state ${String(body.state)}` } };
    return { status: 200, body: { success: true } };
  }

  function billing(from?: Date, to?: Date): SimBillingRow[] {
    lifecycle.tick();
    return [...lifecycle.instances.values()].map((instance) => adminBillingRow(instance, instance.data.label, from, to));
  }

  function charges(request: SimRequest): SimResponse {
    let filters: { day?: { gte?: unknown; lte?: unknown } };
    try {
      filters = JSON.parse(request.query.get('select_filters') ?? '{}') as typeof filters;
    } catch {
      return { status: 400, body: { success: false, msg: 'select_filters must be JSON' } };
    }
    const gte = Number(filters.day?.gte);
    const lte = Number(filters.day?.lte);
    if (!Number.isFinite(gte) || !Number.isFinite(lte)) {
      return { status: 400, body: { success: false, msg: "Must provide both 'day' gte and lte filters for instance charges" } };
    }
    const limit = Math.min(500, Math.max(1, Number(request.query.get('limit') ?? 100)));
    const offset = Number(request.query.get('after_token') ? Buffer.from(request.query.get('after_token') ?? '', 'base64').toString('utf8') : 0) || 0;
    const fromMs = gte * 1000;
    const toMs = lte * 1000;
    const results = [];
    for (const instance of lifecycle.instances.values()) {
      const window = instance.ledger.charges(fromMs, toMs);
      if (window.totalUsd <= 0) continue;
      const span = instance.ledger.span();
      const start = Math.max(fromMs, span?.fromMs ?? fromMs) / 1000;
      const end = Math.min(toMs, span?.toMs ?? toMs) / 1000;
      const items = [];
      if (window.computeUsd > 0) {
        items.push({ start, end, type: 'gpu', source: null, description: `${window.computeHours.toFixed(3)} hours at $${instance.computePerHourUsd.toFixed(3)}/hour`, amount: window.computeUsd, metadata: {}, items: [] });
      }
      if (window.storageUsd > 0) {
        items.push({ start, end, type: 'disk', source: null, description: `${instance.data.diskGb} GB for ${window.storageHours.toFixed(3)} hours`, amount: window.storageUsd, metadata: {}, items: [] });
      }
      results.push({
        start,
        end,
        type: 'instance',
        source: `instance-${instance.id}`,
        description: `Instance ${instance.id} Charges`,
        amount: window.totalUsd,
        metadata: { label: instance.data.label, template_id: null },
        items,
      });
    }
    const page = results.slice(offset, offset + limit);
    const nextOffset = offset + page.length;
    return {
      status: 200,
      body: { success: true, count: page.length, total: results.length, next_token: nextOffset < results.length ? Buffer.from(String(nextOffset)).toString('base64') : null, results: page },
    };
  }

  function rentOutOffers(count: number): number[] {
    const taken: number[] = [];
    for (const offer of offers) {
      if (taken.length >= count) break;
      if (offer.rented || random() < 0.5) continue;
      offer.rented = true;
      taken.push(offer.id);
    }
    stateFile?.markDirty();
    return taken;
  }

  /** PUT /search/asks/ (the current CLI's "new" search): {select_cols, q} in, {offers} out. */
  function searchAsks(request: SimRequest): SimResponse {
    const body = (request.body ?? {}) as { q?: unknown; select_cols?: unknown };
    const answer = search(body.q ?? {});
    const columns = Array.isArray(body.select_cols) ? body.select_cols.map(String) : ['*'];
    if (answer.status !== 200 || columns.includes('*')) return answer;
    const offersServed = (answer.body as { offers: Record<string, unknown>[] }).offers;
    return { status: 200, body: { offers: offersServed.map((record) => Object.fromEntries(columns.filter((column) => column in record).map((column) => [column, record[column]]))) } };
  }

  const account = newVastAccount(seed, clock.now().getTime());
  const accountHandlers = vastAccountHandlers({ account, lifecycle, nowMs: () => clock.now().getTime() });
  const actions = vastInstanceActionHandlers({ lifecycle, nowMs: () => clock.now().getTime(), baseUrl: () => baseUrl, changed: () => stateFile?.markDirty() });

  const router = new Router()
    .on('POST', '/api/v0/bundles', endpoint('search', 'anonymous', (request) => search(request.body)))
    .on('PUT', '/api/v0/search/asks', endpoint('search', 'anonymous', searchAsks))
    .on(
      'GET',
      '/api/v0/bundles',
      endpoint('search', 'anonymous', (request) => {
        const q = request.query.get('q');
        if (q === null) return search({});
        try {
          return search(JSON.parse(q));
        } catch {
          return { status: 400, body: { error: 'invalid_request', msg: 'Invalid q parameter' } };
        }
      }),
    )
    .on('PUT', '/api/v0/asks/:id', endpoint('create', 'account', create))
    .on('GET', '/api/v0/instances/:id', endpoint('get', 'instance', show))
    .on('GET', '/api/v0/instances', endpoint('list', 'account', listV0))
    .on('GET', '/api/v1/instances', endpoint('list', 'account', listV1))
    .on('DELETE', '/api/v0/instances/:id', endpoint('destroy', 'instance', destroy))
    .on('PUT', '/api/v0/instances/:id', endpoint('manage', 'instance', manage))
    .on('GET', '/api/v0/charges', endpoint('charges', 'account', charges))
    .on('GET', '/api/v0/users/current', endpoint('user', 'account', accountHandlers.currentUser))
    .on('GET', '/api/v1/invoices', endpoint('invoices', 'account', accountHandlers.invoicesV1))
    .on('GET', '/api/v0/users/me/invoices', endpoint('invoices', 'account', accountHandlers.invoicesV0))
    .on('GET', '/api/v0/ssh', endpoint('ssh', 'account', accountHandlers.listKeys))
    .on('POST', '/api/v0/ssh', endpoint('ssh', 'account', accountHandlers.addKey))
    .on('DELETE', '/api/v0/ssh/:id', endpoint('ssh', 'account', accountHandlers.deleteKey))
    .on('PUT', '/api/v0/instances/reboot/:id', endpoint('manage', 'instance', actions.reboot))
    .on('PUT', '/api/v0/instances/request_logs/:id', endpoint('logs', 'instance', actions.requestLogs))
    .on('PUT', '/api/v0/instances/bid_price/:id', endpoint('manage', 'instance', actions.changeBid))
    .on('GET', '/api/v0/instances/:id/ssh', endpoint('ssh', 'instance', actions.listInstanceKeys))
    .on('POST', '/api/v0/instances/:id/ssh', endpoint('ssh', 'instance', actions.attachKey))
    .on('DELETE', '/api/v0/instances/:id/ssh/:keyId', endpoint('ssh', 'instance', actions.detachKey))
    // Where a logs request's result_url points (on Vast, a storage bucket): no auth, as a signed URL.
    .on('GET', '/__logs/:file', actions.logResult)
    // Someone else rents the GPU of a stopped instance: its next start waits in "scheduling".
    .on('POST', '/__admin/instances/:id/take-gpu', (request) => {
      const instance = lifecycle.get(request.params.id ?? '');
      if (!instance || instance.phase === 'destroyed') return { status: 404, body: { success: false, error: 'not_found', msg: `no live instance ${request.params.id ?? ''}` } };
      if (instance.phase !== 'stopped') return { status: 409, body: { success: false, error: 'conflict', msg: `instance ${instance.id} is ${instance.phase}` } };
      instance.data.gpuTaken = true;
      stateFile?.markDirty();
      return { status: 200, body: { success: true } };
    });
  registerHostAccountRoutes(router, hostAccount);
  registerAdminRoutes(router, {
    faults,
    instances: () => {
      lifecycle.tick();
      return [...lifecycle.instances.values()].map((i) => ({ ...adminInstanceRow(i, i.data.label, i.data.portMappings), offerId: i.data.offer.id }));
    },
    billing,
    rentOut: { path: 'offers/rent-out', take: rentOutOffers },
    releaseStuck: () => {
      lifecycle.release();
      for (const instance of lifecycle.instances.values()) if (instance.data.gpuTaken) releaseGpu(lifecycle, instance);
    },
    actions: { vanish: (id) => lifecycle.vanish(id), stop: (id) => lifecycle.stop(id), exit: (id, message) => lifecycle.fail(id, message) },
  });

  if (stored !== null) {
    const claims = await restoreInstances('vastai', lifecycle, restoreVastState(stored, offersById), (data) => Object.values(data.portMappings));
    for (const [id, claim] of claims) portClaims.set(id, claim);
  }
  const server = await serveSimulator(router, lifecycle, {
    port: options.port,
    anyPortIfTaken: options.anyPortIfTaken,
    host: options.host,
    tickIntervalMs: options.tickIntervalMs,
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
    offers,
    lifecycle,
    requests,
    hostAccount,
    rentOutOffers,
    tick: () => lifecycle.tick(),
    billing,
  };
}
