// The TensorDock simulator's state file: the id counter (uuids never repeat across restarts), every
// host node's remaining capacity (GPUs, vCPUs, RAM, storage, advertised ports), and every instance
// ever created with its host kept as an id into the seeded catalog.
import { restoreInstance, storeInstance, type StoredInstance, type StoredStateHeader } from '../shared/instance-snapshot';
import type { SimInstance } from '../shared/lifecycle';
import type { TdSimHostnode } from './catalog';
import type { TdInstanceData } from './instance-data';

type StoredTdData = Omit<TdInstanceData, 'host'> & { hostId: string };

interface StoredCapacity {
  id: string;
  gpuAvailableCount: number;
  vcpuCount: number;
  ramGb: number;
  storageGb: number;
  availablePorts: number[];
}

export interface TdSimState extends StoredStateHeader {
  provider: 'tensordock';
  nextId: number;
  hostnodes: StoredCapacity[];
  instances: StoredInstance<StoredTdData>[];
}

export function tensorDockStateOf(header: StoredStateHeader, nextId: number, hostnodes: TdSimHostnode[], instances: Iterable<SimInstance<TdInstanceData>>): TdSimState {
  return {
    ...header,
    provider: 'tensordock',
    nextId,
    hostnodes: hostnodes.map((host) => ({ id: host.id, gpuAvailableCount: host.gpu.availableCount, vcpuCount: host.vcpuCount, ramGb: host.ramGb, storageGb: host.storageGb, availablePorts: [...host.availablePorts] })),
    instances: [...instances].map((instance) => storeInstance(instance, ({ host, ...data }) => ({ ...structuredClone(data), hostId: host.id }))),
  };
}

/** Puts the stored capacity back on the catalog's host nodes and rebuilds the instances on them. */
export function restoreTensorDockState(state: TdSimState, hostById: Map<string, TdSimHostnode>): SimInstance<TdInstanceData>[] {
  for (const capacity of state.hostnodes) {
    const host = hostById.get(capacity.id);
    if (!host) continue;
    host.gpu.availableCount = capacity.gpuAvailableCount;
    host.vcpuCount = capacity.vcpuCount;
    host.ramGb = capacity.ramGb;
    host.storageGb = capacity.storageGb;
    host.availablePorts = [...capacity.availablePorts];
  }
  return state.instances.map((stored) =>
    restoreInstance(stored, ({ hostId, ...data }) => {
      const host = hostById.get(hostId);
      if (!host) throw new Error(`tensordock state: instance ${stored.id} is on host node ${hostId}, which this catalog lacks (was --hostnode-count changed?)`);
      return { ...data, host };
    }),
  );
}
