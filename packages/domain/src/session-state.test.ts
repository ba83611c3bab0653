import { describe, expect, it } from 'vitest';
import { allowedTransitions, assertTransition, canTransition, isTerminal, LIVE_STATES, SESSION_STATES, type SessionState } from './session-state';

describe('session state transitions', () => {
  const allowed: [SessionState, SessionState][] = [
    ['provisioning', 'ready'],
    ['provisioning', 'stopping'],
    ['provisioning', 'failed'],
    ['ready', 'stopping'],
    ['stopping', 'stopped'],
    ['stopping', 'terminated'],
    ['stopping', 'failed'],
    ['stopped', 'stopping'],
  ];

  it('allows exactly the documented transitions', () => {
    for (const from of SESSION_STATES) {
      for (const to of SESSION_STATES) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('refuses a jump with a message naming the allowed targets', () => {
    expect(() => assertTransition('ready', 'terminated')).toThrow('a session cannot go from ready to terminated (from ready: stopping)');
    expect(() => assertTransition('terminated', 'ready')).toThrow('terminated is final');
    expect(() => assertTransition('provisioning', 'ready')).not.toThrow();
  });

  it('never lets a ready node end without going through stopping (where the instance is destroyed)', () => {
    expect(allowedTransitions('ready')).toEqual(['stopping']);
    expect(allowedTransitions('stopped')).toEqual(['stopping']);
  });

  it('knows terminal and live states', () => {
    expect(SESSION_STATES.filter(isTerminal)).toEqual(['terminated', 'failed']);
    expect(LIVE_STATES).toEqual(['provisioning', 'ready', 'stopping', 'stopped']);
  });
});
