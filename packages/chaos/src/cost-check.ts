// The cost figures: per session, what the server says it cost against what the providers billed
// (the simulators' ground truth, every instance whose label names the session, failover attempts
// included), the relative errors, and the total.
import { parseSessionLabel } from '@gpu-shopper/domain';

export interface BillingRow {
  provider: string;
  instanceId: string;
  label: string | null;
  totalUsd: number;
}

export interface SessionCostComparison {
  sessionId: string;
  oursUsd: number;
  billedUsd: number;
  instances: number;
  /** |ours - billed| / billed; null when skipped (billed under the floor). */
  relativeError: number | null;
  /** How much of the session's life (created to ended) the server, or any replica, was dead for; filled in by the run. */
  serverDownMs?: number;
}

/** The totals of the sessions billed by one provider only (a session failed over across providers counts in neither). */
export interface ProviderCostTotals {
  sessions: number;
  oursUsd: number;
  billedUsd: number;
  relativeError: number | null;
}

export interface CostFigures {
  sessions: SessionCostComparison[];
  /** Per provider: Vast.ai sessions are trued up to Vast's own charges; TensorDock's rest on observation. */
  byProvider: Record<string, ProviderCostTotals>;
  compared: number;
  /** Sessions billed under the floor: too small for a relative error to mean anything. */
  skipped: number;
  minBilledUsd: number;
  maxRelativeError: number | null;
  medianRelativeError: number | null;
  oursTotalUsd: number;
  billedTotalUsd: number;
  totalRelativeError: number | null;
  /** Billing for instances whose label names no session of this deployment (nobody accounts for it). */
  unattributedBilledUsd: number;
  unattributedInstances: string[];
  /** Sessions the server could not price (the call failed). */
  unpriced: string[];
}

export const MIN_BILLED_USD = 0.0005;

/**
 * `ours`: the server's total per session (every session of the run, priced or not: a missing entry
 * is an unpriced session). `billing`: every row of every provider.
 */
export function compareCosts(ours: ReadonlyMap<string, number | null>, billing: readonly BillingRow[], options: { deploymentId: string | null; minBilledUsd?: number }): CostFigures {
  const minBilledUsd = options.minBilledUsd ?? MIN_BILLED_USD;
  const billed = new Map<string, { usd: number; instances: number; providers: Set<string> }>();
  let unattributedBilledUsd = 0;
  const unattributedInstances: string[] = [];
  for (const row of billing) {
    const parsed = parseSessionLabel(row.label);
    const isOurs = parsed !== null && (options.deploymentId === null || parsed.deploymentId === options.deploymentId) && ours.has(parsed.sessionId);
    if (!isOurs) {
      if (row.totalUsd > 0) {
        unattributedBilledUsd += row.totalUsd;
        unattributedInstances.push(`${row.provider}:${row.instanceId}${row.label === null ? '' : ` (${row.label})`}`);
      }
      continue;
    }
    const entry = billed.get(parsed.sessionId) ?? { usd: 0, instances: 0, providers: new Set<string>() };
    entry.usd += row.totalUsd;
    entry.instances += 1;
    entry.providers.add(row.provider);
    billed.set(parsed.sessionId, entry);
  }

  const sessions: SessionCostComparison[] = [];
  const unpriced: string[] = [];
  for (const [sessionId, oursUsd] of ours) {
    const bill = billed.get(sessionId) ?? { usd: 0, instances: 0, providers: new Set<string>() };
    if (oursUsd === null) {
      unpriced.push(sessionId);
      continue;
    }
    const relativeError = bill.usd < minBilledUsd ? null : Math.abs(oursUsd - bill.usd) / bill.usd;
    sessions.push({ sessionId, oursUsd, billedUsd: bill.usd, instances: bill.instances, relativeError });
  }
  const errors = sessions.flatMap((session) => (session.relativeError === null ? [] : [session.relativeError])).sort((a, b) => a - b);
  const oursTotalUsd = sum(sessions.map((session) => session.oursUsd));
  // Unpriced sessions' bills still count in the total: the server owes an account of them.
  const billedTotalUsd = sum([...billed.values()].map((entry) => entry.usd));
  const byProvider: Record<string, ProviderCostTotals> = {};
  for (const session of sessions) {
    const providers = billed.get(session.sessionId)?.providers;
    if (providers === undefined || providers.size !== 1) continue;
    const [provider] = [...providers] as [string];
    const totals = (byProvider[provider] ??= { sessions: 0, oursUsd: 0, billedUsd: 0, relativeError: null });
    totals.sessions += 1;
    totals.oursUsd += session.oursUsd;
    totals.billedUsd += session.billedUsd;
  }
  for (const totals of Object.values(byProvider)) totals.relativeError = totals.billedUsd < minBilledUsd ? null : Math.abs(totals.oursUsd - totals.billedUsd) / totals.billedUsd;
  return {
    sessions: sessions.sort((a, b) => (b.relativeError ?? -1) - (a.relativeError ?? -1)),
    byProvider,
    compared: errors.length,
    skipped: sessions.length - errors.length,
    minBilledUsd,
    maxRelativeError: errors.length === 0 ? null : errors.at(-1)!,
    medianRelativeError: median(errors),
    oursTotalUsd,
    billedTotalUsd,
    totalRelativeError: billedTotalUsd < minBilledUsd ? null : Math.abs(oursTotalUsd - billedTotalUsd) / billedTotalUsd,
    unattributedBilledUsd,
    unattributedInstances,
    unpriced,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
