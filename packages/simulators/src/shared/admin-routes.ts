// The admin API both simulators serve on loopback: instance ground truth, billing ground truth,
// fault control, taking capacity away, and releasing stuck instances (for tests and demos).
import type { SimBillingRow } from '../vastai/simulator';
import type { FaultInjector, FaultPlan } from './faults';
import type { Router } from './http-server';

export interface AdminRoutes {
  faults: FaultInjector;
  instances(): Record<string, unknown>[];
  billing(from?: Date, to?: Date): SimBillingRow[];
  /** Path under /__admin and what it takes away ("offers/rent-out" on Vast, "hostnodes/rent-out" on TensorDock). */
  rentOut: { path: string; take(count: number): unknown[] };
  releaseStuck(): void;
}

export function registerAdminRoutes(router: Router, admin: AdminRoutes): Router {
  const optionalDate = (value: string | null) => (value ? new Date(value) : undefined);
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
    });
}
