// "Log a failure once, not once per retry tick": remembers which operations are failing, so the first
// failure of a streak is a warning, the repeats are debug lines and the first success after them says
// it recovered. In memory and per replica, bounded; forgetting a streak costs at most one repeated line.

export type StreakStep = 'first-failure' | 'repeated-failure' | 'recovered' | 'ok';

export class FailureStreaks {
  private readonly failures = new Map<string, number>();

  constructor(private readonly maxTracked = 10_000) {}

  failed(key: string): { step: StreakStep; failures: number } {
    const failures = (this.failures.get(key) ?? 0) + 1;
    if (failures === 1 && this.failures.size >= this.maxTracked) {
      // Oldest first (a Map keeps insertion order): a long-forgotten streak is the one to drop.
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(key, failures);
    return { step: failures === 1 ? 'first-failure' : 'repeated-failure', failures };
  }

  succeeded(key: string): { step: StreakStep; failures: number } {
    const failures = this.failures.get(key) ?? 0;
    if (failures === 0) return { step: 'ok', failures: 0 };
    this.failures.delete(key);
    return { step: 'recovered', failures };
  }
}
