import { describe, expect, it } from 'vitest';
import { FailureStreaks } from './failure-streaks';
import { annotateLogContext, currentLogContext, runInLogContext, withLogContext } from './log-context';
import { log } from './service-logger';

describe('log context', () => {
  it('carries fields across awaits; nested scopes add to a copy; annotations land in the current one', async () => {
    expect(currentLogContext()).toBeUndefined();
    annotateLogContext({ consumer: 'nobody' }); // outside any context: nothing to annotate
    const request = { reqId: 'req-1' };
    await runInLogContext(request, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      annotateLogContext({ consumer: 'atlas' });
      await withLogContext({ sessionId: 'ses_1' }, async () => {
        await Promise.resolve();
        expect(currentLogContext()).toEqual({ reqId: 'req-1', consumer: 'atlas', sessionId: 'ses_1' });
      });
      expect(currentLogContext()).toEqual({ reqId: 'req-1', consumer: 'atlas' });
    });
    expect(request).toEqual({ reqId: 'req-1', consumer: 'atlas' });
    expect(currentLogContext()).toBeUndefined();
  });
});

describe('FailureStreaks', () => {
  it('tells the first failure from repeats and a recovery, per key, and forgets the oldest beyond its bound', () => {
    const streaks = new FailureStreaks(2);
    expect(streaks.succeeded('a')).toEqual({ step: 'ok', failures: 0 });
    expect(streaks.failed('a')).toEqual({ step: 'first-failure', failures: 1 });
    expect(streaks.failed('a')).toEqual({ step: 'repeated-failure', failures: 2 });
    expect(streaks.failed('b').step).toBe('first-failure');
    expect(streaks.succeeded('a')).toEqual({ step: 'recovered', failures: 2 });
    expect(streaks.failed('c').step).toBe('first-failure');
    expect(streaks.failed('d').step).toBe('first-failure'); // b, the oldest, is forgotten
    expect(streaks.failed('b').step).toBe('first-failure');
  });
});

describe('log', () => {
  it('writes at the level the logger has: error falls back to warn, info and debug are dropped', () => {
    const lines: string[] = [];
    const warnOnly = { warn: (message: string) => lines.push(`warn ${message}`) };
    log(warnOnly, 'error', 'kept');
    log(warnOnly, 'info', 'dropped');
    log(warnOnly, 'debug', 'dropped');
    log(undefined, 'warn', 'nowhere');
    expect(lines).toEqual(['warn kept']);
  });
});
