import { describe, expect, it } from 'vitest';
import { IdempotencyLedger } from './idempotency';

const body = { gpu: '4090', hours: 1, provider: 'vastai', workload: 'batch' } as const;

describe('IdempotencyLedger', () => {
  it('counts every extra session id per key, and sessions no key was answered with', () => {
    const ledger = new IdempotencyLedger();
    ledger.register('k1', 'a', body, 'rest');
    ledger.register('k2', 'a', body, 'cli');
    ledger.register('k3', 'b', body, 'rest');
    ledger.answered('k1', 's1', 'first');
    ledger.answered('k1', 's1', 'replay');
    ledger.noAnswer('k2');
    ledger.answered('k2', 's2', 'retry');
    ledger.answered('k2', 's2b', 'replay');
    ledger.refused('k3', 'no offer');
    const report = ledger.report(['s1', 's2', 's2b', 's9']);
    expect(report).toEqual({ duplicates: 2, keysWithSeveralSessions: [{ key: 'k2', sessionIds: ['s2', 's2b'] }], unclaimedSessions: ['s9'], replays: 2 });
    expect(ledger.unresolved().map((record) => record.key)).toEqual(['k3']);
  });

  it('reports no duplicate when each key has one session', () => {
    const ledger = new IdempotencyLedger();
    ledger.register('k1', 'a', body, 'rest');
    ledger.answered('k1', 's1', 'first');
    expect(ledger.report(['s1']).duplicates).toBe(0);
  });
});
