// The cost figures: per session, what the server says it cost against what the providers billed
// (the simulators' ground truth, every instance whose label names the session, failover attempts
// included), the relative errors, and the total. Where an instance's end at the provider fell while
// no server was up, and the provider publishes no per-instance charges to true it up to (TensorDock),
// the server can only date that end halfway across the outage: such a session may be off by the
// unknowable part, rate x (outage + a tick each side) / 2, and that allowance is shown, never hidden.
// The providers bill whole seconds per meter, so the bill itself is only known to a second: a meter
// started or stopped a few milliseconds off can move a whole second either way, which on a session of
// a minute is more than 1%. That resolution (one second of each meter of each instance) is the second
// allowance, also shown and never applied under --strict.
import { parseSessionLabel } from '@gpu-shopper/domain';
import { widenAndMerge, type Interval } from './intervals';

export interface BillingRow {
  provider: string;
  instanceId: string;
  label: string | null;
  totalUsd: number;
  /** When its compute billing ended at the provider; null while it runs (or if it never ran). */
  computeEndedAtMs: number | null;
  computePerHourUsd: number;
  storagePerHourUsd: number;
}

/** An instance whose end at the provider no server could see when it happened. */
export interface UnseenEnd {
  provider: string;
  instanceId: string;
  computeEndedAtMs: number;
  /** The blind window it fell in: no server up, widened by one lifecycle tick on each side. */
  blindFromMs: number;
  blindToMs: number;
  /** Rate x blind window / 2: the most an end dated halfway across it can be off by. */
  boundUsd: number;
}

/** What the run knows of when nothing watched the providers. */
export interface OutageAllowanceOptions {
  /** When no server (no replica) was up; closed intervals (the caller closes open ones). */
  noServerUp: readonly Interval[];
  /** The server looks once per tick: its last proof of life and first listing are up to a tick outside the outage. */
  tickMs: number;
  /** Providers whose instance ends the server can only observe (no per-instance charges to true up to). */
  observedProviders: readonly string[];
  /** --strict: unseen ends are still reported, never excused. */
  strict: boolean;
}

/** TensorDock publishes no per-instance billing; Vast.ai sessions are trued up to Vast's own charges. */
export const OBSERVED_ONLY_PROVIDERS: readonly string[] = ['tensordock'];
export const MAX_SESSION_COST_ERROR = 0.01;
const MS_PER_HOUR = 3_600_000;

export interface SessionCostComparison {
  sessionId: string;
  oursUsd: number;
  billedUsd: number;
  instances: number;
  /** |ours - billed| / billed; null when skipped (billed under the floor). */
  relativeError: number | null;
  absoluteErrorUsd: number;
  /** Its instances whose provider-side end fell in an outage (observed-only providers). */
  unseenEnds: UnseenEnd[];
  /** The sum of their bounds (0 when none). */
  outageBoundUsd: number;
  /** One billed second of each meter of each of its instances: the bill's own resolution. */
  resolutionUsd: number;
  /** Over the relative goal but off by no more than the bill's resolution; null when skipped. */
  withinResolution: boolean | null;
  /** Within the relative goal, or (having an unseen end) within its outage bound, strict or not; null when skipped. */
  withinOutageBound: boolean | null;
  /** What the goal holds it to: the relative goal, or the outage bound too unless strict; null when skipped. */
  withinGoal: boolean | null;
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
  /** The per-session goal on the relative error. */
  maxSessionError: number;
  /** Whether an unseen end's bound excuses a session (false: --strict, or no outage known). */
  outageAllowance: boolean;
  /** Compared sessions the goal does not hold, worst first. */
  sessionsOverGoal: string[];
  /** Compared sessions over the relative goal yet within the bill's resolution (excused unless strict). */
  withinResolution: number;
  /** Sessions with an instance whose provider-side end fell in an outage, and the rest. */
  unseenEnds: { sessions: number; allWithinBound: boolean; othersMaxRelativeError: number | null };
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
export function compareCosts(
  ours: ReadonlyMap<string, number | null>,
  billing: readonly BillingRow[],
  options: { deploymentId: string | null; minBilledUsd?: number; maxSessionError?: number; outages?: OutageAllowanceOptions },
): CostFigures {
  const minBilledUsd = options.minBilledUsd ?? MIN_BILLED_USD;
  const maxSessionError = options.maxSessionError ?? MAX_SESSION_COST_ERROR;
  const outages = options.outages;
  const blindWindows = outages === undefined ? [] : widenAndMerge(outages.noServerUp, outages.tickMs);
  const billed = new Map<string, { usd: number; instances: number; providers: Set<string>; unseenEnds: UnseenEnd[]; resolutionUsd: number }>();
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
    const entry = billed.get(parsed.sessionId) ?? { usd: 0, instances: 0, providers: new Set<string>(), unseenEnds: [], resolutionUsd: 0 };
    entry.usd += row.totalUsd;
    entry.instances += 1;
    entry.resolutionUsd += (row.computePerHourUsd + row.storagePerHourUsd) / (MS_PER_HOUR / 1_000);
    entry.providers.add(row.provider);
    const unseen = outages?.observedProviders.includes(row.provider) ? unseenEnd(row, blindWindows) : null;
    if (unseen !== null) entry.unseenEnds.push(unseen);
    billed.set(parsed.sessionId, entry);
  }

  const sessions: SessionCostComparison[] = [];
  const unpriced: string[] = [];
  for (const [sessionId, oursUsd] of ours) {
    const bill = billed.get(sessionId) ?? { usd: 0, instances: 0, providers: new Set<string>(), unseenEnds: [], resolutionUsd: 0 };
    if (oursUsd === null) {
      unpriced.push(sessionId);
      continue;
    }
    const absoluteErrorUsd = Math.abs(oursUsd - bill.usd);
    const relativeError = bill.usd < minBilledUsd ? null : absoluteErrorUsd / bill.usd;
    const outageBoundUsd = sum(bill.unseenEnds.map((end) => end.boundUsd));
    const withinRelative = relativeError === null ? null : relativeError <= maxSessionError;
    const withinOutageBound = withinRelative === null ? null : withinRelative || (bill.unseenEnds.length > 0 && absoluteErrorUsd <= outageBoundUsd);
    const withinResolution = withinRelative === null ? null : !withinRelative && absoluteErrorUsd <= bill.resolutionUsd;
    const strict = outages === undefined || outages.strict;
    const withinGoal = withinRelative === null ? null : strict ? withinRelative : withinOutageBound === true || withinResolution === true;
    sessions.push({ sessionId, oursUsd, billedUsd: bill.usd, instances: bill.instances, relativeError, absoluteErrorUsd, unseenEnds: bill.unseenEnds, outageBoundUsd, resolutionUsd: bill.resolutionUsd, withinOutageBound, withinResolution, withinGoal });
  }
  sessions.sort((a, b) => (b.relativeError ?? -1) - (a.relativeError ?? -1));
  const compared = sessions.filter((session) => session.relativeError !== null);
  const unseen = compared.filter((session) => session.unseenEnds.length > 0);
  const othersErrors = compared.filter((session) => session.unseenEnds.length === 0).map((session) => session.relativeError!);
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
    sessions,
    byProvider,
    compared: errors.length,
    skipped: sessions.length - errors.length,
    minBilledUsd,
    maxSessionError,
    outageAllowance: outages !== undefined && !outages.strict,
    sessionsOverGoal: compared.filter((session) => session.withinGoal === false).map((session) => session.sessionId),
    withinResolution: compared.filter((session) => session.withinResolution === true).length,
    unseenEnds: { sessions: unseen.length, allWithinBound: unseen.every((session) => session.withinOutageBound === true), othersMaxRelativeError: othersErrors.length === 0 ? null : Math.max(...othersErrors) },
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

/** The row's end, if it fell in a blind window: priced at its compute rate over half that window. */
function unseenEnd(row: BillingRow, blindWindows: readonly Interval[]): UnseenEnd | null {
  const endedAtMs = row.computeEndedAtMs;
  if (endedAtMs === null) return null;
  const window = blindWindows.find((candidate) => candidate.fromMs <= endedAtMs && (candidate.toMs === null || endedAtMs <= candidate.toMs));
  if (window === undefined || window.toMs === null) return null;
  const boundUsd = (row.computePerHourUsd * (window.toMs - window.fromMs)) / 2 / MS_PER_HOUR;
  return { provider: row.provider, instanceId: row.instanceId, computeEndedAtMs: endedAtMs, blindFromMs: window.fromMs, blindToMs: window.toMs, boundUsd };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
