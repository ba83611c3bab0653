// A small seeded PRNG (mulberry32) so every simulator catalog and fault roll is reproducible.

export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** Picks by weight: [[item, weight], ...]. */
export function pickWeighted<T>(random: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [item, weight] of entries) {
    roll -= weight;
    if (roll < 0) return item;
  }
  const last = entries.at(-1);
  if (last === undefined) throw new RangeError('pick from an empty list');
  return last[0];
}

export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

export function intBetween(random: Random, min: number, max: number): number {
  return Math.floor(between(random, min, max + 1));
}
