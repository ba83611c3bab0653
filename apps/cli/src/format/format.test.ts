// Human formatting of what the server cannot easily be made to return in a test: live sessions,
// stale providers, cost buckets.
import { describe, expect, it } from 'vitest';
import type { CostSummary, SessionDetail } from '@gpu-shopper/sdk';
import { bar, renderBarChart } from './chart';
import { formatCostSummary } from './costs';
import { providerNote } from './offers';
import { formatSessionDetail, formatSessionList } from './sessions';
import { duration } from './values';

const session: SessionDetail = {
  id: 'ses_1',
  consumerId: 'con_1',
  state: 'ready',
  workload: 'llm',
  llmModel: 'llama-3-8b',
  offerId: 'vastai:1',
  provider: 'vastai',
  providerInstanceId: '777',
  gpuModel: 'RTX 4090',
  pricePerHourUsd: 0.4,
  reservation: { hours: 3, startsAt: '2026-01-01T10:00:00.000Z', endsAt: '2026-01-01T13:00:00.000Z', hardMaxEndsAt: '2026-01-01T22:00:00.000Z' },
  label: 'gpu-shopper:dep:ses_1',
  endReason: null,
  failureReason: null,
  createdAt: '2026-01-01T09:58:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  readyAt: '2026-01-01T10:00:00.000Z',
  endedAt: null,
  events: [
    { at: '2026-01-01T09:58:00.000Z', from: null, to: 'provisioning', reason: 'created', actor: 'consumer:atlas' },
    { at: '2026-01-01T10:00:00.000Z', from: 'provisioning', to: 'ready', reason: 'agent hello', actor: 'system' },
  ],
  attempts: [{ attempt: 1, provider: 'vastai', offerId: 'vastai:1', instanceId: '777', outcome: 'created', error: null, startedAt: '2026-01-01T09:58:00.000Z', finishedAt: '2026-01-01T09:58:01.000Z' }],
  overrideRequests: [],
  nodeEndpoint: 'http://203.0.113.7:40123',
  lastHeartbeatAt: '2026-01-01T11:44:50.000Z',
  agentIdle: false,
};

describe('session formatting', () => {
  const now = new Date('2026-01-01T11:45:00.000Z');

  it('shows state, GPU, provider, price, reservation, time left from now, and events', () => {
    const text = formatSessionDetail(session, now);
    expect(text).toContain('State:      ready');
    expect(text).toContain('GPU:        RTX 4090');
    expect(text).toContain('Provider:   vastai (instance 777)');
    expect(text).toContain('Price:      $0.400/h');
    expect(text).toContain('Starts:     2026-01-01 10:00 UTC');
    expect(text).toContain('Ends:       2026-01-01 13:00 UTC');
    expect(text).toContain('Time left:  1h 15m');
    expect(text).toMatch(/ {2}AT\s+FROM\s+TO\s+REASON\s+BY\n {2}2026-01-01 09:58 UTC\s+-\s+provisioning\s+created\s+consumer:atlas\n/);
  });

  it('lists the attempts when the session failed over', () => {
    const failedOver: SessionDetail = {
      ...session,
      attempts: [
        { attempt: 1, provider: 'vastai', offerId: 'vastai:9', instanceId: '770', outcome: 'deadline', error: 'not ready by the deadline', startedAt: '2026-01-01T09:40:00.000Z', finishedAt: '2026-01-01T09:55:00.000Z' },
        ...session.attempts,
      ],
    };
    expect(formatSessionDetail(session, now)).not.toContain('Attempts:');
    expect(formatSessionDetail(failedOver, now)).toMatch(/Attempts:\n {2}#\s+OFFER\s+INSTANCE\s+OUTCOME\s+ERROR\n {2}1\s+vastai:9\s+770\s+deadline\s+not ready by the deadline\n/);
  });

  it('lists sessions in a table and says when one has ended', () => {
    const ended = { ...session, id: 'ses_2', state: 'terminated' as const, endReason: 'done' as const, endedAt: '2026-01-01T11:00:00.000Z' };
    const lines = formatSessionList([session, ended], now, true).split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+GPU\s+PROVIDER\s+\$\/H\s+ENDS\s+LEFT$/);
    expect(lines[1]).toMatch(/^ses_1\s+ready\s+RTX 4090\s+vastai\s+0\.400\s+2026-01-01 13:00 UTC\s+1h 15m$/);
    expect(lines[2]).toMatch(/ended$/);
  });

  it('writes durations compactly', () => {
    expect([duration(-1), duration(30_000), duration(45 * 60_000), duration(2 * 3_600_000), duration(8_100_000)]).toEqual(['expired', '<1m', '45m', '2h', '2h 15m']);
  });
});

describe('provider notes', () => {
  const base = { offerCount: 3, fetchedAt: null, nextFetchAt: '2026-01-01T00:00:00.000Z', rateLimited: false, error: null };
  it('flags stale and empty providers, and says nothing for fresh ones', () => {
    expect(providerNote({ ...base, provider: 'vastai', status: 'stale', error: 'HTTP 503' })).toBe('note: vastai offers are stale (HTTP 503)');
    expect(providerNote({ ...base, provider: 'vastai', status: 'stale', rateLimited: true, error: 'HTTP 429' })).toBe('note: vastai offers are stale (rate limited)');
    expect(providerNote({ ...base, provider: 'tensordock', status: 'empty' })).toBe('note: no offers from tensordock yet');
    expect(providerNote({ ...base, provider: 'vastai', status: 'fresh' })).toBeNull();
  });
});

describe('cost formatting', () => {
  it('prints a bucket per period and the total', () => {
    const summary: CostSummary = {
      consumerId: null,
      period: 'day',
      from: '2026-01-01T00:00:00.000Z',
      to: null,
      totalUsd: 12.5,
      accruedAt: null,
      buckets: [
        { start: '2026-01-01T00:00:00.000Z', costUsd: 2.5 },
        { start: '2026-01-02T00:00:00.000Z', costUsd: 10 },
      ],
    };
    expect(formatCostSummary(summary)).toBe(['Costs per day from 2026-01-01 00:00 UTC to now', 'PERIOD        COST', '2026-01-01   $2.50', '2026-01-02  $10.00', 'Total: $12.50'].join('\n'));
  });
});

describe('bar chart', () => {
  it('scales bars to the largest value in eighths, keeps a sliver for tiny values, and fits the width', () => {
    expect([bar(8, 8, 4), bar(1, 8, 4), bar(0.01, 8, 4), bar(0, 8, 4), bar(3, 0, 4)]).toEqual(['████', '▌', '▏', '', '']);
    const chart = renderBarChart(
      [
        { label: 'a', value: 1 },
        { label: 'bbb', value: 4 },
      ],
      { width: 24, formatValue: (value) => `${value}` },
    );
    // 24 - 3 (label) - 1 (value) - 3 = 17 cells; 1/4 of 17 = 4.25 → four and two eighths.
    expect(chart.split('\n')).toEqual(['a   │████▎             1', 'bbb │█████████████████ 4']);
  });
});
