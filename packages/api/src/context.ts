// Request context in two layers: what the server holds for its lifetime (ApiDeps), and the per-request
// inner context — a forked entity manager and the services bound to it — that tests build directly.
import type { Caller, Clock } from '@gpu-shopper/domain';
import type { EntityManager, Orm } from '@gpu-shopper/db';
import type { AlertSink, CallerCache, ExtensionBudgetGuard, HeartbeatServiceOptions, InventoryService, ProviderCallMetrics, ProviderKeySetup, ProviderRegistry, SecretBox, SessionProvisioner, WebhookDispatcher, WebhookNotifier } from '@gpu-shopper/services';
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
  /** The provider adapters: a booting node's first ready heartbeat reads where it listens from them, at once. */
  providers?: ProviderRegistry | null;
  /** Provider API calls, errors and latency, for /metrics. */
  providerMetrics?: ProviderCallMetrics | null;
  /** The race-free budget guard provisioning uses; extensions go through it too. */
  budgets?: { guard: ExtensionBudgetGuard; alerts: AlertSink } | null;
  /** What heartbeats reporting a node failure do (fail the provisioning attempt, log); without it they are only recorded. */
  heartbeats?: HeartbeatServiceOptions;
}

export interface RequestInfo {
  /** The bearer token as presented, unverified. */
  apiKey: string | null;
  idempotencyKey?: string | null;
}

/**
 * The per-request context. Nothing in it costs anything until a procedure uses it: the entity
 * manager is forked on its first use, and each service is built when first asked for. Most requests
 * (an inventory search, a key check answered from the caller cache) never touch the database.
 */
export function createInnerContext(deps: ApiDeps, request: RequestInfo) {
  const em = lazyFork(deps.orm);
  return {
    em,
    clock: deps.clock,
    apiKey: request.apiKey,
    idempotencyKey: request.idempotencyKey ?? null,
    inventory: deps.inventory,
    webhookDispatcher: deps.webhookDispatcher ?? null,
    services: new RequestServices(em, deps),
  };
}
export type Context = ReturnType<typeof createInnerContext>;

/** The services a procedure may use, each bound to the request's entity manager, built on first use. */
export class RequestServices {
  private made: { [Name in keyof ServiceMakers]?: ReturnType<ServiceMakers[Name]> } = {};

  constructor(
    private readonly em: EntityManager,
    private readonly deps: ApiDeps,
  ) {}

  get providerKeys(): ProviderKeyService | null {
    return this.once('providerKeys');
  }
  get apiKeys(): ApiKeyService {
    return this.once('apiKeys');
  }
  get sessions(): SessionService {
    return this.once('sessions');
  }
  get heartbeats(): HeartbeatService {
    return this.once('heartbeats');
  }
  get overrides(): OverrideService {
    return this.once('overrides');
  }
  get costs(): CostService {
    return this.once('costs');
  }
  get budgets(): BudgetService {
    return this.once('budgets');
  }

  private once<Name extends keyof ServiceMakers>(name: Name): ReturnType<ServiceMakers[Name]> {
    if (!(name in this.made)) this.made[name] = SERVICE_MAKERS[name](this.em, this.deps) as never;
    return this.made[name] as ReturnType<ServiceMakers[Name]>;
  }
}

const SERVICE_MAKERS = {
  providerKeys: (em: EntityManager, deps: ApiDeps) => (deps.providerKeys ? new ProviderKeyService(em, deps.providerKeys) : null),
  apiKeys: (em: EntityManager, deps: ApiDeps) => new ApiKeyService(em, deps.clock, deps.callerCache),
  sessions: (em: EntityManager, deps: ApiDeps) => new SessionService(em, deps.clock, deps.provisioner, deps.webhooks ?? noWebhooks, deps.secrets ?? null, deps.budgets ?? null),
  heartbeats: (em: EntityManager, deps: ApiDeps) => new HeartbeatService(em, deps.clock, deps.webhooks ?? noWebhooks, deps.providers ?? null, deps.heartbeats),
  overrides: (em: EntityManager, deps: ApiDeps) => new OverrideService(em, deps.clock, deps.webhooks ?? noWebhooks),
  costs: (em: EntityManager, deps: ApiDeps) => new CostService(em, { clock: deps.clock }),
  budgets: (em: EntityManager, deps: ApiDeps) => new BudgetService(em, deps.clock),
};
type ServiceMakers = typeof SERVICE_MAKERS;

/**
 * An entity manager that forks the global one on first use and is that fork from then on. A proxy
 * rather than a getter on the context: tRPC middlewares spread the context, which would read (and
 * so fork) a getter on every protected call.
 */
function lazyFork(orm: Orm): EntityManager {
  let fork: EntityManager | undefined;
  const real = () => (fork ??= orm.em.fork());
  return new Proxy(Object.create(null) as EntityManager, {
    get: (_target, key) => {
      const em = real();
      const value: unknown = Reflect.get(em, key, em);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(em) : value;
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may only report a non-configurable property that its target also has.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}

/** How the request log names an authenticated caller: the consumer, or `operator:<key id>`. */
export function callerLogName(caller: Caller): string {
  return caller.role === 'admin' ? `operator:${caller.keyId}` : caller.consumerName;
}

/** Reads `Authorization: Bearer <key>` (and the idempotency key) from a Node request's headers. */
export function requestInfoFromHeaders(headers: Record<string, string | string[] | undefined>): RequestInfo {
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  const idempotency = headers['idempotency-key'];
  return { apiKey: match?.[1] ?? null, idempotencyKey: (Array.isArray(idempotency) ? idempotency[0] : idempotency) ?? null };
}
