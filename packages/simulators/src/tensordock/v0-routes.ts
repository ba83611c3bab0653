// The TensorDock v0 API surface that the reference documents and operators' older scripts use: host-node
// discovery (no auth, as on v0), deploy, list, get, start, stop, delete and the auth test. It works on the
// same host nodes and VMs as v2 (see deploy.ts): a VM deployed here is listed, billed and deleted through
// either API. Malformed requests answer 400; refusals about state (capacity, an unknown or deleted VM)
// answer 200 with success:false, the two ways the reference saw v0 say no.
import type { InstanceLifecycle } from '../shared/lifecycle';
import type { Handler, Router, SimRequest, SimResponse } from '../shared/http-server';
import type { TdSimHostnode } from './catalog';
import { deployVm, type VmDeployContext } from './deploy';
import type { TdInstanceData } from './instance-data';
import { parseV0Deploy } from './v0-deploy-form';
import { v0Field, v0Error } from './v0-protocol';
import { renderV0Hostnode, renderV0Vm } from './v0-records';

export interface TdV0Context {
  hostnodes: readonly TdSimHostnode[];
  hostById: ReadonlyMap<string, TdSimHostnode>;
  lifecycle: InstanceLifecycle<TdInstanceData>;
  deployContext: VmDeployContext;
  /** Swaps advertised ports that are no longer free for free ones (what reading one host node does on v2 too). */
  freshenPorts(host: TdSimHostnode): Promise<void>;
}

/** Wraps a handler as the simulator's endpoints are (recording, auth, faults); `anonymous` skips the token check. */
export type V0EndpointWrapper = (name: string, handler: Handler, options: { anonymous: boolean }) => Handler;

/** v0 documents no minimum storage (v2's is 100 GB); a VM still needs some disk. */
const V0_MIN_STORAGE_GB = 1;

function serverField(request: SimRequest): string | null {
  const server = v0Field(request, 'server');
  return typeof server === 'string' && server.trim() !== '' ? server.trim() : null;
}

export function registerTensorDockV0Routes(router: Router, wrap: V0EndpointWrapper, context: TdV0Context): Router {
  const { lifecycle } = context;
  let nextExecutionId = 1;

  function listHostnodes(request: SimRequest): SimResponse {
    const raw = request.query.get('minGPUCount');
    const minGpuCount = raw === null ? 0 : Number(raw);
    if (!Number.isInteger(minGpuCount) || minGpuCount < 0) return v0Error(400, `minGPUCount must be a whole number, not "${raw}"`);
    const hosts = context.hostnodes.filter((host) => host.gpu.availableCount >= minGpuCount);
    return { status: 200, body: { success: true, hostnodes: Object.fromEntries(hosts.map((host) => [host.id, renderV0Hostnode(host)])) } };
  }

  /** dstack's reading (`hostnode` beside `success`), the one in production use; the SDK's keyed form is unconfirmed. */
  async function showHostnode(request: SimRequest): Promise<SimResponse> {
    const host = context.hostById.get(request.params.id ?? '');
    if (!host) return v0Error(404, 'Hostnode not found');
    await context.freshenPorts(host);
    return { status: 200, body: { success: true, hostnode: renderV0Hostnode(host) } };
  }

  async function deploy(request: SimRequest): Promise<SimResponse> {
    const parsed = parseV0Deploy(request);
    if ('problem' in parsed) return v0Error(400, parsed.problem);
    const outcome = await deployVm(context.deployContext, parsed.request, { minStorageGb: V0_MIN_STORAGE_GB });
    if (outcome.kind === 'invalid') return v0Error(400, outcome.message);
    if (outcome.kind === 'unavailable') return v0Error(200, 'Hostnode unavailable: it cannot take this VM (GPUs, vCPUs, RAM, storage or a port taken)');
    if (outcome.failingStatus !== null) return v0Error(outcome.failingStatus, 'Internal server error');
    const { instance } = outcome;
    const storagePrice = instance.storagePerHourUsd;
    return {
      status: 200,
      body: {
        success: true,
        server: instance.id,
        ip: instance.data.ipAddress,
        port_forwards: renderV0Vm(instance, 'list').port_forwards,
        cost: { compute_price: instance.computePerHourUsd, storage_price: storagePrice, total_price: instance.computePerHourUsd + storagePrice },
        execution_id: nextExecutionId++,
      },
    };
  }

  function list(): SimResponse {
    return { status: 200, body: { success: true, virtualmachines: Object.fromEntries(lifecycle.live().map((instance) => [instance.id, renderV0Vm(instance, 'list')])) } };
  }

  function show(request: SimRequest): SimResponse {
    const id = serverField(request);
    if (id === null) return v0Error(400, 'missing field: server');
    const instance = lifecycle.get(id);
    if (!instance || instance.phase === 'destroyed') return v0Error(200, `Virtual machine ${id} not found`);
    return { status: 200, body: { success: true, virtualmachine: renderV0Vm(instance, 'single') } };
  }

  function action(request: SimRequest, verb: 'start' | 'stop'): SimResponse {
    const id = serverField(request);
    if (id === null) return v0Error(400, 'missing field: server');
    const instance = lifecycle.get(id);
    if (!instance || instance.phase === 'destroyed') return v0Error(200, `Virtual machine ${id} not found`);
    // disassociate_resources is accepted; the simulator keeps a stopped VM's GPU either way (as v2 here does).
    const done = verb === 'start' ? lifecycle.start(id) : lifecycle.stop(id);
    return done ? { status: 200, body: { success: true } } : v0Error(200, `Cannot ${verb} virtual machine ${id} while it is ${instance.phase}`);
  }

  function remove(request: SimRequest): SimResponse {
    const id = serverField(request);
    if (id === null) return v0Error(400, 'missing field: server');
    const outcome = lifecycle.destroy(id);
    // dstack reads "already terminated" in the error as done.
    if (outcome === 'already_gone') return v0Error(200, `Virtual machine ${id} is already terminated`);
    if (outcome === 'unknown') return v0Error(200, `Virtual machine ${id} not found`);
    return { status: 200, body: { success: true } };
  }

  const ok = (): SimResponse => ({ status: 200, body: { success: true } });
  return (
    router
      .on('GET', '/api/v0/client/deploy/hostnodes', wrap('v0-hostnodes', listHostnodes, { anonymous: true }))
      .on('GET', '/api/v0/client/deploy/hostnodes/:id', wrap('v0-hostnodes', showHostnode, { anonymous: true }))
      .on('POST', '/api/v0/client/deploy/single', wrap('v0-deploy', deploy, { anonymous: false }))
      .on('POST', '/api/v0/client/list', wrap('v0-list', list, { anonymous: false }))
      .on('POST', '/api/v0/client/get/single', wrap('v0-get', show, { anonymous: false }))
      .on('POST', '/api/v0/client/start/single', wrap('v0-start', (request) => action(request, 'start'), { anonymous: false }))
      .on('POST', '/api/v0/client/stop/single', wrap('v0-stop', (request) => action(request, 'stop'), { anonymous: false }))
      .on('POST', '/api/v0/client/delete/single', wrap('v0-delete', remove, { anonymous: false }))
      // dstack posts the form; tensordock-rs sends a GET with a form body.
      .on('POST', '/api/v0/auth/test', wrap('v0-auth', ok, { anonymous: false }))
      .on('GET', '/api/v0/auth/test', wrap('v0-auth', ok, { anonymous: false }))
  );
}
