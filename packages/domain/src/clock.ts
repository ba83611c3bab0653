// Time is injected everywhere: domain code asks a Clock, never `new Date()`, so a 12-hour
// reservation can be tested in milliseconds.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests, simulations and benchmarks. */
export class ManualClock implements Clock {
  private currentMs: number;

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.currentMs);
  }

  advance(ms: number): Date {
    if (ms < 0) throw new RangeError('a clock cannot go backwards');
    this.currentMs += ms;
    return this.now();
  }

  set(to: Date | string | number): void {
    this.currentMs = new Date(to).getTime();
  }
}

export const MS_PER_SECOND = 1_000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
