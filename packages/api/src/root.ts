// The API's root router: what the SDK, the REST facade and the OpenAPI document are all built from.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { adminRouter } from './routers/admin/router';
import { auditRouter } from './routers/audit/router';
import { budgetsRouter } from './routers/budgets/router';
import { costsRouter } from './routers/costs/router';
import { inventoryRouter } from './routers/inventory/router';
import { overridesRouter } from './routers/overrides/router';
import { sessionsRouter } from './routers/sessions/router';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  inventory: inventoryRouter,
  sessions: sessionsRouter,
  costs: costsRouter,
  budgets: budgetsRouter,
  overrides: overridesRouter,
  admin: adminRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export const createCaller = createCallerFactory(appRouter);
