import { describe, expect, it } from 'vitest';
import { failedDeliveries, needsYouCount } from './attention';

const delivery = (id: string, status: 'pending' | 'delivered' | 'failed', lastError: string | null) => ({
  id,
  consumerId: null,
  event: 'session.ready',
  url: 'https://hooks.example/x',
  status,
  attempts: lastError === null ? 0 : 2,
  lastError,
  createdAt: '2026-03-01T10:00:00.000Z',
  deliveredAt: null,
  nextAttemptAt: null,
});

describe('what needs an operator', () => {
  const deliveries = [delivery('a', 'delivered', null), delivery('b', 'pending', null), delivery('c', 'pending', 'HTTP 500'), delivery('d', 'failed', 'timeout')];

  it('counts deliveries given up on and those failing while retried, not the ones merely queued', () => {
    expect(failedDeliveries(deliveries).map((item) => item.id)).toEqual(['c', 'd']);
  });

  it('adds pending overrides to failing deliveries for the badge, reading what has not loaded as none', () => {
    expect(needsYouCount(3, deliveries)).toBe(5);
    expect(needsYouCount(undefined, undefined)).toBe(0);
  });
});
