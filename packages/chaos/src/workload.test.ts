import { describe, expect, it } from 'vitest';
import { createRandom } from './random';
import { planSessions } from './workload';

describe('planSessions', () => {
  const plans = planSessions({ sessions: 12, cliSessions: 3, durationSeconds: 100, lifetimeSeconds: { min: 10, max: 60 }, providers: ['vastai', 'tensordock'] }, createRandom(4), ['a', 'b', 'c']);

  it('plans the sessions in start order, within the first three quarters of the chaos phase', () => {
    expect(plans).toHaveLength(12);
    expect(plans.map((plan) => plan.startAfterMs)).toEqual([...plans.map((plan) => plan.startAfterMs)].sort((a, b) => a - b));
    expect(plans.every((plan) => plan.startAfterMs <= 75_000 && plan.lifetimeMs >= 10_000 && plan.lifetimeMs <= 60_000)).toBe(true);
  });

  it('mixes providers, consumers and surfaces, with 1 h reservations and a model for llm sessions', () => {
    expect(new Set(plans.map((plan) => plan.body.provider))).toEqual(new Set(['vastai', 'tensordock']));
    expect(new Set(plans.map((plan) => plan.consumer))).toEqual(new Set(['a', 'b', 'c']));
    expect(plans.filter((plan) => plan.via === 'cli')).toHaveLength(3);
    expect(plans.every((plan) => plan.body.hours === 1 && (plan.body.workload === 'llm') === (plan.body.llmModel !== undefined))).toBe(true);
    expect(new Set(plans.map((plan) => plan.key)).size).toBe(12);
  });
});
