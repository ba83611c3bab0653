// How the console writes money, durations and instants: one place, so every page reads the same.

const USD_CENTS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const USD_SMALL = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

/** Dollars; amounts under a dollar keep up to four decimals (a few minutes of a cheap GPU is $0.0042). */
export function formatUsd(amountUsd: number): string {
  return Math.abs(amountUsd) >= 1 || amountUsd === 0 ? USD_CENTS.format(amountUsd) : USD_SMALL.format(amountUsd);
}

const USD_RATE_SMALL = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });

/** A rate: under a dollar an hour always with four decimals, so that a column of prices lines up. */
export function formatUsdPerHour(amountUsd: number | null): string {
  if (amountUsd === null) return '—';
  return `${Math.abs(amountUsd) >= 1 ? USD_CENTS.format(amountUsd) : USD_RATE_SMALL.format(amountUsd)}/h`;
}

export function formatPercent(value: number, fractionDigits = 0): string {
  return `${value.toFixed(fractionDigits)}%`;
}

/** "2 h 05 min", "12 min", "40 s": the two largest units, for time left and time since. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** What is left of a reservation at `nowMs`: "1 h 30 min", or "over by 5 min" once past its end. */
export function formatTimeLeft(endsAtIso: string, nowMs: number): string {
  const leftMs = Date.parse(endsAtIso) - nowMs;
  return leftMs >= 0 ? formatDuration(leftMs) : `over by ${formatDuration(leftMs)}`;
}

/** "12 s ago"; "never" for a missing instant; "just now" for one at or a little after `nowMs` (clocks differ). */
export function formatAgo(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const sinceMs = nowMs - Date.parse(iso);
  return sinceMs < 1000 ? 'just now' : `${formatDuration(sinceMs)} ago`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });

/** An instant in UTC, as the API and the provider bills count time. */
export function formatDateTime(iso: string | null): string {
  return iso === null ? '—' : DATE_TIME.format(new Date(iso));
}

const BUCKET_LABELS = {
  hour: new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }),
  day: new Intl.DateTimeFormat('en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
  month: new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', timeZone: 'UTC' }),
};

/** A cost bucket's start, as short as its period allows ("14 Mar 10:00", "14 Mar", "Mar 2026"). */
export function formatBucket(startIso: string, period: keyof typeof BUCKET_LABELS): string {
  return BUCKET_LABELS[period].format(new Date(startIso));
}

/** A long id shortened for a table cell; the full id stays in the cell's title and links. */
export function shortId(id: string, keep = 12): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}
