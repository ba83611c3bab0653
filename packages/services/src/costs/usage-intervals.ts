// Turns a session's usage events into the intervals it is billed for: compute while the provider ran it,
// storage while the instance existed. Pure, so the ledger's arithmetic is testable without a database.
import type { UsageKind } from '@gpu-shopper/db';

export interface UsageMark {
  kind: UsageKind;
  atMs: number;
  /** The provider instance the mark is about: a session that failed over had several, possibly overlapping. */
  instanceId?: string;
}

/** A half-open span of time [fromMs, toMs). */
export interface Interval {
  fromMs: number;
  toMs: number;
}

export interface MeterIntervals {
  compute: Interval[];
  storage: Interval[];
  /** Whether the meter was still running at `untilMs` (its last interval ends there for now). */
  computeOpen: boolean;
  storageOpen: boolean;
}

/**
 * Pairs starts with stops, in the order given (the ledger passes them sorted by time, then id).
 * Marks after `untilMs` are ignored; an open meter runs until `untilMs`. Tolerant by design, because
 * events come from observations that can repeat or be missed: a repeated start or an unmatched stop is
 * ignored, compute implies storage (a running instance exists), and storage stopping closes compute.
 */
export function meterIntervals(marks: readonly UsageMark[], untilMs: number): MeterIntervals {
  const byInstance = new Map<string, UsageMark[]>();
  for (const mark of marks) {
    const key = mark.instanceId ?? '';
    const list = byInstance.get(key);
    if (list === undefined) byInstance.set(key, [mark]);
    else list.push(mark);
  }
  if (byInstance.size <= 1) return pairMarks(marks, untilMs);
  // Each instance has its own meters; the session's are all of them together.
  const merged: MeterIntervals = { compute: [], storage: [], computeOpen: false, storageOpen: false };
  for (const list of byInstance.values()) {
    const meters = pairMarks(list, untilMs);
    merged.compute.push(...meters.compute);
    merged.storage.push(...meters.storage);
    merged.computeOpen ||= meters.computeOpen;
    merged.storageOpen ||= meters.storageOpen;
  }
  const byStart = (a: Interval, b: Interval) => a.fromMs - b.fromMs || a.toMs - b.toMs;
  merged.compute.sort(byStart);
  merged.storage.sort(byStart);
  return merged;
}

function pairMarks(marks: readonly UsageMark[], untilMs: number): MeterIntervals {
  const compute: Interval[] = [];
  const storage: Interval[] = [];
  let computeFromMs: number | null = null;
  let storageFromMs: number | null = null;
  const close = (into: Interval[], fromMs: number, toMs: number) => {
    if (toMs > fromMs) into.push({ fromMs, toMs });
  };
  for (const mark of marks) {
    if (mark.atMs > untilMs) continue;
    switch (mark.kind) {
      case 'storage_started':
        storageFromMs ??= mark.atMs;
        break;
      case 'compute_started':
        storageFromMs ??= mark.atMs;
        computeFromMs ??= mark.atMs;
        break;
      case 'compute_stopped':
        if (computeFromMs !== null) close(compute, computeFromMs, mark.atMs);
        computeFromMs = null;
        break;
      case 'storage_stopped':
        if (computeFromMs !== null) close(compute, computeFromMs, mark.atMs);
        if (storageFromMs !== null) close(storage, storageFromMs, mark.atMs);
        computeFromMs = null;
        storageFromMs = null;
        break;
    }
  }
  if (computeFromMs !== null) close(compute, computeFromMs, untilMs);
  if (storageFromMs !== null) close(storage, storageFromMs, untilMs);
  return { compute, storage, computeOpen: computeFromMs !== null, storageOpen: storageFromMs !== null };
}

/** Shortens each interval to whole meter ticks (Vast bills whole seconds): what the provider's meter counts. */
export function meteredIntervals(intervals: readonly Interval[], tickMs: number): Interval[] {
  if (tickMs <= 1) return [...intervals];
  return intervals
    .map((interval) => ({ fromMs: interval.fromMs, toMs: interval.fromMs + Math.floor((interval.toMs - interval.fromMs) / tickMs) * tickMs }))
    .filter((interval) => interval.toMs > interval.fromMs);
}

export function totalMs(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, interval) => sum + (interval.toMs - interval.fromMs), 0);
}
