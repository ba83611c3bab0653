// The agent's notion of time, injected so tests can drive hours of idle and dead-man logic in milliseconds.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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
