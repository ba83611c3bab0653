// Fault injection shared by the simulators: error rates per endpoint, 429 storms, latency, and the
// counted "special" faults (create errors but creates, destroy times out, stuck instances, odd listing shape).
import type { Random } from './prng';
import type { SimResponse } from './http-server';

export interface ErrorFault {
  status: number;
  body?: unknown;
  text?: string;
  /** Probability per request, 0..1 (default 1). */
  rate?: number;
  /** How many requests it applies to; unlimited when absent. */
  count?: number;
}

export interface FaultPlan {
  /** Keyed by endpoint name ("search", "create", "list"...), or "*" for every endpoint. */
  errors?: Record<string, ErrorFault>;
  /** The next `count` requests (to `endpoints`, or any) answer 429. */
  rateLimitStorm?: { count: number; endpoints?: string[] };
  /** Added latency in ms, by endpoint name or "*". */
  latencyMs?: Record<string, number>;
  /** The next `count` creates answer an error although the instance is created. */
  createErrorsButCreates?: { count: number; status?: number; includeInstanceId?: boolean };
  /** The next `count` destroys never answer (the client times out); `destroys` says whether it still happened. */
  destroyTimesOut?: { count: number; destroys?: boolean };
  /** The next `count` instances created stay in loading forever. */
  stuckLoading?: { count: number };
  /** The next `count` destroys leave the instance exiting (still listed, still billed) instead of gone. */
  stuckExiting?: { count: number };
  /** The next `count` list calls answer a shape the real API never documented. */
  listingUnexpectedShape?: { count: number };
}

type CountedFault = 'createErrorsButCreates' | 'destroyTimesOut' | 'stuckLoading' | 'stuckExiting' | 'listingUnexpectedShape';

export class FaultInjector {
  private plan: FaultPlan = {};

  constructor(
    private readonly random: Random,
    private readonly rateLimitResponse: (endpoint: string) => SimResponse,
  ) {}

  /** Replaces the whole plan. */
  set(plan: FaultPlan): void {
    this.plan = structuredClone(plan);
  }

  /** Adds to the current plan (per-key merge). */
  add(plan: FaultPlan): void {
    this.plan = {
      ...this.plan,
      ...structuredClone(plan),
      errors: { ...this.plan.errors, ...structuredClone(plan.errors) },
      latencyMs: { ...this.plan.latencyMs, ...plan.latencyMs },
    };
  }

  clear(): void {
    this.plan = {};
  }

  current(): FaultPlan {
    return structuredClone(this.plan);
  }

  /** The injected answer for this request, if any: a storm 429 first, then an endpoint error. */
  errorFor(endpoint: string): SimResponse | null {
    const storm = this.plan.rateLimitStorm;
    if (storm && storm.count > 0 && (!storm.endpoints || storm.endpoints.includes(endpoint))) {
      storm.count -= 1;
      return this.rateLimitResponse(endpoint);
    }
    for (const key of [endpoint, '*']) {
      const fault = this.plan.errors?.[key];
      if (!fault || (fault.count !== undefined && fault.count <= 0)) continue;
      if (this.random() >= (fault.rate ?? 1)) continue;
      if (fault.count !== undefined) fault.count -= 1;
      if (fault.status === 429) return this.rateLimitResponse(endpoint);
      return fault.text !== undefined ? { status: fault.status, text: fault.text } : { status: fault.status, body: fault.body ?? { success: false, error: 'injected_fault', msg: `injected ${fault.status}` } };
    }
    return null;
  }

  latencyFor(endpoint: string): number {
    return (this.plan.latencyMs?.[endpoint] ?? 0) + (this.plan.latencyMs?.['*'] ?? 0);
  }

  /** Takes one use of a counted fault; returns its settings when it applied. */
  take<K extends CountedFault>(name: K): NonNullable<FaultPlan[K]> | null {
    const fault = this.plan[name];
    if (!fault || fault.count <= 0) return null;
    fault.count -= 1;
    return fault as NonNullable<FaultPlan[K]>;
  }
}
