// The admin API both simulators serve on loopback: instance ground truth, billing ground truth,
// fault control, taking capacity away, releasing stuck instances, and the provider acting behind the
// renter's back (an instance vanishes, is stopped, or its container exits), for tests and chaos runs.
import type { FaultInjector, FaultPlan } from './faults';
import type { Router, SimResponse } from './http-server';
import type { SimInstance } from './lifecycle';

/** What the admin can do to one instance; each answers false when the instance cannot (gone, or wrong phase). */
export interface AdminInstanceActions {
  vanish(id: string): boolean;
  stop(id: string): boolean;
  exit(id: string, message: string): boolean;
}

export interface AdminRoutes {
  faults: FaultInjector;
  instances(): AdminInstanceRow[];
  billing(from?: Date, to?: Date): SimBillingRow[];
  /** Path under /__admin and what it takes away ("offers/rent-out" on Vast, "hostnodes/rent-out" on TensorDock). */
  rentOut: { path: string; take(count: number): unknown[] };
  releaseStuck(): void;
  actions: AdminInstanceActions;
}

export interface AdminInstanceRow extends Record<string, unknown> {
  id: string;
  phase: string;
  label: string | null;
}

/** The provider-neutral part of an admin instance row; each simulator adds its own fields. */
export function adminInstanceRow<D>(instance: SimInstance<D>, label: string | null, ports: Record<number, number>): AdminInstanceRow {
  return {
    id: instance.id,
    phase: instance.phase,
    label,
    statusMessage: instance.statusMessage,
    createdAt: new Date(instance.createdAtMs).toISOString(),
    destroyedAt: instance.destroyedAtMs === null ? null : new Date(instance.destroyedAtMs).toISOString(),
    ports: { ...ports },
    nodePid: instance.nodePgid,
  };
}

/** Billing ground truth for one instance over a window, and when its compute billing ended. */
export interface SimBillingRow {
  instanceId: string;
  label: string | null;
  computeUsd: number;
  storageUsd: number;
  totalUsd: number;
  computeHours: number;
  storageHours: number;
  /**
   * When its compute billing ended, whatever the window: the end of its last compute segment once the
   * instance no longer runs (stopped, exited, destroyed, vanished); null while it runs or if it never ran.
   */
  computeEndedAtMs: number | null;
  computePerHourUsd: number;
  storagePerHourUsd: number;
}

export function adminBillingRow<D>(instance: SimInstance<D>, label: string | null, from?: Date, to?: Date): SimBillingRow {
  return {
    instanceId: instance.id,
    label,
    ...instance.ledger.charges(from?.getTime(), to?.getTime()),
    computeEndedAtMs: instance.phase === 'running' ? null : instance.ledger.lastComputeMs(),
    computePerHourUsd: instance.computePerHourUsd,
    storagePerHourUsd: instance.storagePerHourUsd,
  };
}

/** Container exits without a message of their own read like Docker's. */
const DEFAULT_EXIT_MESSAGE = 'Exited (1)';

export function registerAdminRoutes(router: Router, admin: AdminRoutes): Router {
  const optionalDate = (value: string | null) => (value ? new Date(value) : undefined);
  const act = (id: string, apply: () => boolean): SimResponse => {
    const before = admin.instances().find((row) => row.id === id);
    if (!before || before.phase === 'destroyed') return { status: 404, body: { success: false, error: 'not_found', msg: `no live instance ${id}` } };
    if (!apply()) return { status: 409, body: { success: false, error: 'conflict', msg: `instance ${id} is ${before.phase}` } };
    return { status: 200, body: { success: true, instance: admin.instances().find((row) => row.id === id) } };
  };
  return router
    .on('GET', '/__admin/instances', () => ({ status: 200, body: { instances: admin.instances() } }))
    .on('GET', '/__admin/billing', (request) => ({ status: 200, body: { billing: admin.billing(optionalDate(request.query.get('from')), optionalDate(request.query.get('to'))) } }))
    .on('GET', '/__admin/faults', () => ({ status: 200, body: admin.faults.current() }))
    .on('PUT', '/__admin/faults', (request) => {
      admin.faults.set((request.body ?? {}) as FaultPlan);
      return { status: 200, body: admin.faults.current() };
    })
    .on('DELETE', '/__admin/faults', () => {
      admin.faults.clear();
      return { status: 200, body: {} };
    })
    .on('POST', `/__admin/${admin.rentOut.path}`, (request) => ({ status: 200, body: { rented: admin.rentOut.take(Number((request.body as { count?: unknown } | undefined)?.count ?? 1)) } }))
    .on('POST', '/__admin/release-stuck', () => {
      admin.releaseStuck();
      return { status: 200, body: { success: true } };
    })
    .on('POST', '/__admin/instances/:id/vanish', (request) => act(request.params.id ?? '', () => admin.actions.vanish(request.params.id ?? '')))
    .on('POST', '/__admin/instances/:id/stop', (request) => act(request.params.id ?? '', () => admin.actions.stop(request.params.id ?? '')))
    .on('POST', '/__admin/instances/:id/exit', (request) => {
      const message = (request.body as { message?: unknown } | undefined)?.message;
      return act(request.params.id ?? '', () => admin.actions.exit(request.params.id ?? '', typeof message === 'string' && message !== '' ? message : DEFAULT_EXIT_MESSAGE));
    });
}
