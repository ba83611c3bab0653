// Money is counted in integer micro-dollars so that sums never drift; dollars appear only at the edges.

export type MicroUsd = number;

const MICROS_PER_USD = 1_000_000;

export function usdToMicros(usd: number): MicroUsd {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: MicroUsd): number {
  return micros / MICROS_PER_USD;
}

/** Cost of running at `pricePerHourUsd` for `ms` milliseconds, rounded to the micro-dollar. */
export function costMicrosFor(pricePerHourUsd: number, ms: number): MicroUsd {
  return Math.round((pricePerHourUsd * MICROS_PER_USD * ms) / 3_600_000);
}
