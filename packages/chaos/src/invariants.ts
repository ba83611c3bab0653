// The two invariants sampled through the whole run, from both sides at once: no orphan (an instance
// alive at a provider that no live session owns) and no ghost (a live session whose instance the
// provider no longer has). Creating and destroying open short, legitimate windows, so a mismatch
// counts only once it outlives a grace; time the server was dead, or the provider's API was made
// unusable by an injected fault, does not count toward that grace (nobody could have fixed it then).
// A strict measure, excusing server downtime only, is kept beside it.
import { parseSessionLabel } from '@gpu-shopper/domain';
import { measureWithin, type Interval } from './intervals';

export interface LiveSessionView {
  id: string;
  state: string;
  provider: string | null;
  providerInstanceId: string | null;
}

export interface InstanceView {
  provider: string;
  id: string;
  phase: string;
  label: string | null;
}

export type AnomalyKind = 'orphan' | 'ghost';

export interface Anomaly {
  kind: AnomalyKind;
  provider: string;
  instanceId: string;
  /** The session that owns (ghost) or claims by label (orphan) the instance, if any. */
  sessionId: string | null;
  /** The session's state (ghost) or the instance's phase (orphan) when first seen. */
  detail: string;
  firstSeenMs: number;
  lastSeenMs: number;
  clearedMs: number | null;
  /** Its age minus excused time passed the grace at some sample (or it never cleared). */
  counted: boolean;
  /** Its age minus excused time at the last sample that saw it. */
  chargeableMs: number;
  /** The same, excusing server downtime only (provider outages count against the server). */
  strictChargeableMs: number;
  /** Past the grace by the strict measure. */
  countedStrict: boolean;
}

export interface InvariantSummary {
  orphans: number;
  ghosts: number;
  /** The same figures excusing server downtime only, not provider outages. */
  strictOrphans: number;
  strictGhosts: number;
  /** Every counted anomaly (the figures above), oldest first. */
  counted: Anomaly[];
  /** Every mismatch seen, counted or not, oldest first (the first 500). */
  all: Anomaly[];
  /** Every mismatch seen, counted or not. */
  seen: number;
  /** The longest time any mismatch was seen for, first sighting to clear (or the end). */
  longestMs: number;
  /** How long the last mismatch to clear had lasted; null when none was ever seen. */
  lastToClearMs: number | null;
  /** When it cleared, in ms since the epoch. */
  lastClearedAtMs: number | null;
  openAtEnd: number;
  samples: number;
}

export interface Excuses {
  /** Server downtime: excused for every provider. */
  global(): readonly Interval[];
  /** Windows in which this provider's API was faulted into uselessness (errors, storms, timeouts). */
  provider(name: string): readonly Interval[];
}

/** Whether the provider still has (and bills) the instance. */
export function isLiveInstancePhase(phase: string): boolean {
  return phase !== 'destroyed' && phase !== 'vanished';
}

const LIVE_SESSION_STATES = new Set(['provisioning', 'ready', 'stopping', 'stopped']);

type Mismatch = Pick<Anomaly, 'kind' | 'provider' | 'instanceId' | 'sessionId' | 'detail'>;

/** The mismatches in one pair of snapshots, keyed stably across samples. */
export function findMismatches(sessions: readonly LiveSessionView[], instances: readonly InstanceView[]): Map<string, Mismatch> {
  const live = sessions.filter((session) => LIVE_SESSION_STATES.has(session.state));
  const owned = new Set(live.filter((session) => session.provider !== null && session.providerInstanceId !== null).map((session) => `${session.provider}:${session.providerInstanceId}`));
  const existing = new Set(instances.filter((instance) => isLiveInstancePhase(instance.phase)).map((instance) => `${instance.provider}:${instance.id}`));
  const found = new Map<string, Mismatch>();
  for (const instance of instances) {
    const key = `${instance.provider}:${instance.id}`;
    if (!isLiveInstancePhase(instance.phase) || owned.has(key)) continue;
    found.set(`orphan:${key}`, { kind: 'orphan', provider: instance.provider, instanceId: instance.id, sessionId: parseSessionLabel(instance.label)?.sessionId ?? null, detail: instance.phase });
  }
  for (const session of live) {
    if (session.provider === null || session.providerInstanceId === null) continue;
    const key = `${session.provider}:${session.providerInstanceId}`;
    if (existing.has(key)) continue;
    found.set(`ghost:${session.id}:${key}`, { kind: 'ghost', provider: session.provider, instanceId: session.providerInstanceId, sessionId: session.id, detail: session.state });
  }
  return found;
}

export class InvariantTracker {
  private readonly open = new Map<string, Anomaly>();
  private readonly closed: Anomaly[] = [];
  private samples = 0;

  constructor(
    private readonly graceMs: number,
    private readonly excuses: Excuses,
  ) {}

  /** One sample: the server's live sessions and every provider's instances, read at about `atMs`. */
  observe(atMs: number, sessions: readonly LiveSessionView[], instances: readonly InstanceView[]): void {
    this.samples += 1;
    const current = findMismatches(sessions, instances);
    for (const [key, mismatch] of current) {
      const anomaly = this.open.get(key) ?? { ...mismatch, firstSeenMs: atMs, lastSeenMs: atMs, clearedMs: null, counted: false, chargeableMs: 0, strictChargeableMs: 0, countedStrict: false };
      anomaly.lastSeenMs = atMs;
      const ageMs = atMs - anomaly.firstSeenMs;
      anomaly.chargeableMs = ageMs - measureWithin([...this.excuses.global(), ...this.excuses.provider(anomaly.provider)], anomaly.firstSeenMs, atMs);
      anomaly.strictChargeableMs = ageMs - measureWithin(this.excuses.global(), anomaly.firstSeenMs, atMs);
      if (anomaly.chargeableMs > this.graceMs) anomaly.counted = true;
      if (anomaly.strictChargeableMs > this.graceMs) anomaly.countedStrict = true;
      this.open.set(key, anomaly);
    }
    for (const [key, anomaly] of this.open) {
      if (current.has(key)) continue;
      anomaly.clearedMs = atMs;
      this.closed.push(anomaly);
      this.open.delete(key);
    }
  }

  /** Currently open mismatches (for progress output and the settle loop). */
  openCount(): number {
    return this.open.size;
  }

  /** The figures; mismatches still open at the end count, whatever their age. */
  summary(endMs: number): InvariantSummary {
    const openAtEnd = [...this.open.values()].map((anomaly) => ({ ...anomaly, counted: true, countedStrict: true }));
    const all = [...this.closed, ...openAtEnd].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
    const counted = all.filter((anomaly) => anomaly.counted);
    const countedStrict = all.filter((anomaly) => anomaly.countedStrict);
    const lastCleared = this.closed.reduce<Anomaly | null>((latest, anomaly) => (latest === null || anomaly.clearedMs! > latest.clearedMs! ? anomaly : latest), null);
    return {
      orphans: counted.filter((anomaly) => anomaly.kind === 'orphan').length,
      ghosts: counted.filter((anomaly) => anomaly.kind === 'ghost').length,
      strictOrphans: countedStrict.filter((anomaly) => anomaly.kind === 'orphan').length,
      strictGhosts: countedStrict.filter((anomaly) => anomaly.kind === 'ghost').length,
      counted,
      all: all.slice(0, 500),
      seen: all.length,
      longestMs: all.reduce((longest, anomaly) => Math.max(longest, (anomaly.clearedMs ?? endMs) - anomaly.firstSeenMs), 0),
      lastToClearMs: lastCleared === null ? null : lastCleared.clearedMs! - lastCleared.firstSeenMs,
      lastClearedAtMs: lastCleared?.clearedMs ?? null,
      openAtEnd: openAtEnd.length,
      samples: this.samples,
    };
  }
}
