// The agent's notion of time, injected so tests can drive hours of idle and dead-man logic in milliseconds.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * When this process started, by the system clock. The node was up from at least then: reporting it
 * rather than the moment the agent finished loading (seconds later on a busy machine, with a cold
 * module cache) keeps the shopper's compute start close to the provider's.
 */
export function processStartedAt(clock: Clock = systemClock): Date {
  return new Date(clock.now().getTime() - Math.round(process.uptime() * 1000));
}

/** A clock that only moves when told to; for tests and benchmarks. */
export class ManualClock implements Clock {
  private currentMs: number;
  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.currentMs);
  }
  advanceMs(ms: number): void {
    this.currentMs += ms;
  }
  set(at: Date | string): void {
    this.currentMs = new Date(at).getTime();
  }
}
