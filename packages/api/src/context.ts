// Request context in two layers: what the server holds for its lifetime (ApiDeps), and the per-request
// inner context — a forked entity manager and the services bound to it — that tests build directly.
import type { Clock } from '@gpu-shopper/domain';
import type { EntityManager, Orm } from '@gpu-shopper/db';
import type { AlertSink, CallerCache, ExtensionBudgetGuard, InventoryService, ProviderCallMetrics, ProviderKeySetup, SecretBox, SessionProvisioner, WebhookDispatcher, WebhookNotifier } from '@gpu-shopper/services';
import { ApiKeyService, BudgetService, CostService, HeartbeatService, noWebhooks, OverrideService, ProviderKeyService, SessionService } from '@gpu-shopper/services';

export interface ApiDeps {
  orm: Orm;
  clock: Clock;
  inventory: InventoryService;
  callerCache: CallerCache;
  provisioner: SessionProvisioner | null;
  webhooks?: WebhookNotifier;
  /** Seals and opens secrets at rest (node tokens, SSH keys); null where none are kept. */
  secrets?: SecretBox | null;
  /** Consumer webhook configuration and the delivery log. */
  webhookDispatcher?: WebhookDispatcher | null;
  /** Run-time provider key configuration. */
  providerKeys?: ProviderKeySetup | null;
  /** Provider API calls, errors and latency, for /metrics. */
  providerMetrics?: ProviderCallMetrics | null;
  /** The race-free budget guard provisioning uses; extensions go through it too. */
  budgets?: { guard: ExtensionBudgetGuard; alerts: AlertSink } | null;
}

export interface RequestInfo {
  /** The bearer token as presented, unverified. */
  apiKey: string | null;
  idempotencyKey?: string | null;
}

export function createInnerContext(deps: ApiDeps, request: RequestInfo) {
  const em: EntityManager = deps.orm.em.fork();
  const webhooks = deps.webhooks ?? noWebhooks;
  return {
    em,
    clock: deps.clock,
    apiKey: request.apiKey,
    idempotencyKey: request.idempotencyKey ?? null,
    inventory: deps.inventory,
    webhookDispatcher: deps.webhookDispatcher ?? null,
    services: {
      providerKeys: deps.providerKeys ? new ProviderKeyService(em, deps.providerKeys) : null,
      apiKeys: new ApiKeyService(em, deps.clock, deps.callerCache),
      sessions: new SessionService(em, deps.clock, deps.provisioner, webhooks, deps.secrets ?? null, deps.budgets ?? null),
      heartbeats: new HeartbeatService(em, deps.clock, webhooks),
      overrides: new OverrideService(em, deps.clock, webhooks),
      costs: new CostService(em, { clock: deps.clock }),
      budgets: new BudgetService(em, deps.clock),
    },
  };
}
export type Context = ReturnType<typeof createInnerContext>;

/** Reads `Authorization: Bearer <key>` (and the idempotency key) from a Node request's headers. */
export function requestInfoFromHeaders(headers: Record<string, string | string[] | undefined>): RequestInfo {
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  const idempotency = headers['idempotency-key'];
  return { apiKey: match?.[1] ?? null, idempotencyKey: (Array.isArray(idempotency) ? idempotency[0] : idempotency) ?? null };
}
