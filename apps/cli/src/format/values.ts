// How single values read in human output: money, percentages, instants and durations.
export function usd(amount: number | null | undefined, decimals = 2): string | null {
  return amount === null || amount === undefined ? null : `$${amount.toFixed(decimals)}`;
}

/** 0.987 → "98.7%". */
export function percent(fraction: number | null | undefined): string | null {
  if (fraction === null || fraction === undefined) return null;
  const value = fraction * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

/** "2026-01-01T12:34:56.000Z" → "2026-01-01 12:34 UTC": minutes are enough to read a schedule. */
export function instant(iso: string | null | undefined): string | null {
  if (iso === null || iso === undefined) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** 8_100_000 ms → "2h 15m"; negative → "expired". */
export function duration(ms: number): string {
  if (ms <= 0) return 'expired';
  const totalMinutes = Math.floor(ms / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return minutes === 0 ? '<1m' : `${minutes}m`;
  return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}m`;
}
