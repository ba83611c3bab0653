// What each fault kind means as a simulator FaultPlan (packages/simulators/src/shared/faults.ts),
// drawn from the run's random source. Pure: the injector decides when and where.
import type { FaultPlan } from '@gpu-shopper/simulators';
import type { FaultKind } from './options';
import type { Random } from './random';

export type Injection =
  | {
      kind: Exclude<FaultKind, 'vanish'>;
      plan: FaultPlan;
      /** The provider's API is unusable while it lasts: the server cannot see or fix anything there. */
      blinding: boolean;
      /** Stuck instances are released when the fault is cleared. */
      releaseStuck: boolean;
      /** A request started in the window may hang this long after it. */
      lingerMs: number;
      description: string;
    }
  | { kind: 'vanish'; description: string };

const TIMEOUT_ENDPOINTS = ['create', 'list', 'destroy', 'get', '*'] as const;

export function drawInjection(kind: FaultKind, random: Random, options: { timeoutLatencyMs: number }): Injection {
  switch (kind) {
    case 'rate-limit': {
      const count = random.integer(10, 60);
      return { kind, plan: { rateLimitStorm: { count } }, blinding: true, releaseStuck: false, lingerMs: 0, description: `429 storm on the next ${count} requests` };
    }
    case 'server-error': {
      const status = random.pick([500, 502, 503] as const);
      const rate = Math.round(random.between(0.3, 1) * 100) / 100;
      return { kind, plan: { errors: { '*': { status, rate } } }, blinding: true, releaseStuck: false, lingerMs: 0, description: `HTTP ${status} on ${Math.round(rate * 100)}% of requests` };
    }
    case 'timeout': {
      const endpoint = random.pick(TIMEOUT_ENDPOINTS);
      return {
        kind,
        plan: { latencyMs: { [endpoint]: options.timeoutLatencyMs } },
        blinding: true,
        releaseStuck: false,
        lingerMs: options.timeoutLatencyMs,
        description: `${options.timeoutLatencyMs} ms latency on ${endpoint === '*' ? 'every endpoint' : endpoint}`,
      };
    }
    case 'create-errors-but-creates': {
      const count = random.integer(1, 3);
      const includeInstanceId = random.chance(0.5);
      return { kind, plan: { createErrorsButCreates: { count, includeInstanceId } }, blinding: false, releaseStuck: false, lingerMs: 0, description: `next ${count} creates answer an error but create${includeInstanceId ? ' (id in the error on Vast)' : ''}` };
    }
    case 'hanging-destroy': {
      const count = random.integer(1, 3);
      if (random.chance(0.5)) {
        const destroys = random.chance(0.5);
        return { kind, plan: { destroyTimesOut: { count, destroys } }, blinding: false, releaseStuck: false, lingerMs: 0, description: `next ${count} destroys never answer (${destroys ? 'but destroy' : 'and do nothing'})` };
      }
      return { kind, plan: { stuckExiting: { count } }, blinding: false, releaseStuck: true, lingerMs: 0, description: `next ${count} destroys leave the instance exiting (billed) until released` };
    }
    case 'vanish':
      return { kind, description: 'a live instance vanishes at the provider' };
  }
}
