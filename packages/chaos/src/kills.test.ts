import { describe, expect, it } from 'vitest';
import type { Interval } from './intervals';
import { planKills, runKills } from './kills';
import { createRandom } from './random';
import type { ReplicaSet } from './replica-set';

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

describe('runKills', () => {
  it('records the providers as unwatched while a killed replica held the provider sync, for no longer than its lease', async () => {
    const downtimes: Interval[] = [];
    const replica = {
      name: 'r1',
      replicaId: 'chaos-r1',
      downtimes,
      kill: async () => void downtimes.push({ fromMs: Date.now(), toMs: null }),
      start: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        downtimes.at(-1)!.toMs = Date.now();
      },
      isRunning: () => true,
    };
    const holders = ['chaos-r1', 'chaos-r2', 'chaos-r1'];
    const syncBlind: Interval[] = [];
    const kills = await runKills([0, 1, 2].map(() => ({ offsetMs: 0, afterCreate: false })), Date.now(), {
      replicas: { pickVictim: () => replica } as unknown as ReplicaSet,
      random: createRandom(1),
      downSeconds: { min: 0, max: 0 },
      nextCreateAnswered: async () => false,
      afterRestart: async () => undefined,
      log: () => undefined,
      syncWatch: { holders: async () => [holders.shift() ?? 'nobody'], syncLeaseMs: 10, syncBlind },
    });
    expect(kills).toBe(3);
    // The first and third kills took the sync's holder; each window ends at its lease (10 ms), before the restart.
    expect(syncBlind).toHaveLength(2);
    for (const [window, down] of [[syncBlind[0]!, downtimes[0]!], [syncBlind[1]!, downtimes[2]!]] as const) {
      expect(Math.abs(window.fromMs - down.fromMs)).toBeLessThanOrEqual(5);
      expect(window.toMs! - window.fromMs).toBe(10);
    }
  }, 20_000);
});
