import { describe, expect, it } from 'vitest';
import { drawInjection } from './fault-plans';
import { FAULT_KINDS } from './options';
import { createRandom } from './random';

describe('drawInjection', () => {
  it('turns every fault kind into a simulator plan (or a vanish)', () => {
    const random = createRandom(1);
    for (const kind of FAULT_KINDS) {
      for (let draw = 0; draw < 20; draw++) {
        const injection = drawInjection(kind, random, { timeoutLatencyMs: 35_000 });
        expect(injection.kind).toBe(kind);
        if (injection.kind === 'vanish') continue;
        const keys = Object.keys(injection.plan);
        expect(keys.length).toBe(1);
        expect(['rateLimitStorm', 'errors', 'latencyMs', 'createErrorsButCreates', 'destroyTimesOut', 'stuckExiting']).toContain(keys[0]);
      }
    }
  });

  it('makes the timeout fault longer than the adapters wait, and marks the faults that blind the server', () => {
    const random = createRandom(2);
    const timeout = drawInjection('timeout', random, { timeoutLatencyMs: 35_000 });
    expect(timeout).toMatchObject({ blinding: true, lingerMs: 35_000 });
    expect(Object.values((timeout as { plan: { latencyMs: Record<string, number> } }).plan.latencyMs)).toEqual([35_000]);
    expect(drawInjection('create-errors-but-creates', random, { timeoutLatencyMs: 1 })).toMatchObject({ blinding: false });
  });

  it('is repeatable for a seed', () => {
    const draw = (seed: number) => drawInjection('server-error', createRandom(seed), { timeoutLatencyMs: 1 });
    expect(draw(5)).toEqual(draw(5));
  });
});
