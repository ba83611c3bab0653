// The console's one door to the server: the SDK's typed tRPC client for the signed-in key, and the
// TanStack Query options for every read the pages make (a query key per procedure and input).
import { queryOptions } from '@tanstack/react-query';
import { createShopperClient, type RouterInputs, type ShopperClient } from '@gpu-shopper/sdk';
import { serverClock } from './server-clock';

/** How often each kind of view asks again: the live list, a session's details, slow-moving lists. */
export const REFRESH_MS = { live: 5_000, detail: 15_000, slow: 60_000 } as const;

export function consoleClient(apiKey: string, origin: string = window.location.origin): ShopperClient {
  // A 429 is shown and waited out by the console (problems.ts), not held inside the request.
  return createShopperClient({ url: origin, apiKey, retryAfter: { maxWaitSeconds: 0 } });
}

type Inputs = RouterInputs;

export function shopperQueries(client: ShopperClient) {
  return {
    whoami: () => queryOptions({ queryKey: ['admin.whoami'], queryFn: ({ signal }) => client.admin.whoami.query({}, { signal }) }),
    keys: () => queryOptions({ queryKey: ['admin.listKeys'], queryFn: ({ signal }) => client.admin.listKeys.query({}, { signal }) }),
    sessions: (input: Inputs['sessions']['list']) => queryOptions({ queryKey: ['sessions.list', input], queryFn: ({ signal }) => client.sessions.list.query(input, { signal }) }),
    session: (id: string) => queryOptions({ queryKey: ['sessions.get', id], queryFn: ({ signal }) => client.sessions.get.query({ id }, { signal }) }),
    sessionCost: (id: string) =>
      queryOptions({
        queryKey: ['costs.session', id],
        queryFn: async ({ signal }) => {
          const cost = await client.costs.session.query({ id }, { signal });
          serverClock.observe(cost.accruedAt);
          return cost;
        },
      }),
    costs: (input: Inputs['costs']['summary']) =>
      queryOptions({
        queryKey: ['costs.summary', input],
        queryFn: async ({ signal }) => {
          const report = await client.costs.summary.query(input, { signal });
          serverClock.observe(report.accruedAt);
          return report;
        },
      }),
    reconciliation: () => queryOptions({ queryKey: ['costs.reconciliation'], queryFn: ({ signal }) => client.costs.reconciliation.query({}, { signal }) }),
    budgets: () => queryOptions({ queryKey: ['budgets.status'], queryFn: ({ signal }) => client.budgets.status.query({}, { signal }) }),
    overrides: (input: Inputs['overrides']['list']) => queryOptions({ queryKey: ['overrides.list', input], queryFn: ({ signal }) => client.overrides.list.query(input, { signal }) }),
    alerts: (input: Inputs['admin']['alerts']) => queryOptions({ queryKey: ['admin.alerts', input], queryFn: ({ signal }) => client.admin.alerts.query(input, { signal }) }),
    deliveries: (input: Inputs['admin']['deliveries']) => queryOptions({ queryKey: ['admin.deliveries', input], queryFn: ({ signal }) => client.admin.deliveries.query(input, { signal }) }),
    inventory: (input: Inputs['inventory']['search']) => queryOptions({ queryKey: ['inventory.search', input], queryFn: ({ signal }) => client.inventory.search.query(input, { signal }) }),
  };
}

export type ShopperQueries = ReturnType<typeof shopperQueries>;
