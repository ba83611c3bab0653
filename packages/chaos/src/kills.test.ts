import { describe, expect, it } from 'vitest';
import { planKills } from './kills';
import { createRandom } from './random';

describe('planKills', () => {
  it('spreads the kills over 5-95% of the chaos phase, in order, some timed on creates', () => {
    const plan = planKills({ kills: 40, durationSeconds: 100 }, createRandom(9));
    expect(plan).toHaveLength(40);
    expect(plan.every((kill) => kill.offsetMs >= 5_000 && kill.offsetMs <= 95_000)).toBe(true);
    expect(plan.map((kill) => kill.offsetMs)).toEqual([...plan.map((kill) => kill.offsetMs)].sort((a, b) => a - b));
    expect(plan.some((kill) => kill.afterCreate)).toBe(true);
    expect(plan.some((kill) => !kill.afterCreate)).toBe(true);
  });

  it('plans nothing for no kills', () => {
    expect(planKills({ kills: 0, durationSeconds: 60 }, createRandom(1))).toEqual([]);
  });
});
