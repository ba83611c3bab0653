// The progress line's words: the phase a session is in, read from its state, attempts and history.
import { describe, expect, it } from 'vitest';
import { ProgressLine } from './progress';
import { describePhase, elapsed } from './session-phase';
import { sessionDetail } from './test-support/fixtures';

const attempt = (number: number, outcome: 'pending' | 'created' | 'deadline' | 'failed' | 'offer_gone', extra: { instanceId?: string | null; error?: string | null; offerId?: string } = {}) => ({
  attempt: number,
  provider: 'vastai' as const,
  offerId: extra.offerId ?? `vastai:${number}`,
  instanceId: extra.instanceId ?? null,
  outcome,
  error: extra.error ?? null,
  startedAt: '2026-01-01T09:58:00.000Z',
  finishedAt: outcome === 'pending' ? null : '2026-01-01T09:59:00.000Z',
});
const provisioning = { state: 'provisioning' as const, readyAt: null, nodeEndpoint: null, lastHeartbeatAt: null, providerInstanceId: null };

describe('describePhase', () => {
  it('names each step of provisioning: creating, booting, waiting for the agent, starting the workload', () => {
    expect(describePhase(sessionDetail({ ...provisioning, attempts: [] }))).toBe('creating instance on vastai (offer vastai:1)');
    expect(describePhase(sessionDetail({ ...provisioning, attempts: [attempt(1, 'pending')] }))).toBe('creating instance on vastai (offer vastai:1)');
    expect(describePhase(sessionDetail({ ...provisioning, providerInstanceId: '777', attempts: [attempt(1, 'created', { instanceId: '777' })] }))).toBe('booting instance 777 on vastai');
    expect(describePhase(sessionDetail({ ...provisioning, providerInstanceId: '777', nodeEndpoint: 'http://203.0.113.7:40123', attempts: [attempt(1, 'created', { instanceId: '777' })] }))).toBe(
      'waiting for the agent at http://203.0.113.7:40123',
    );
    expect(
      describePhase(sessionDetail({ ...provisioning, workload: 'llm', providerInstanceId: '777', nodeEndpoint: 'http://203.0.113.7:40123', lastHeartbeatAt: '2026-01-01T10:00:00.000Z', attempts: [attempt(1, 'created', { instanceId: '777' })] })),
    ).toBe('agent connected, starting the llm workload');
  });

  it('says which failover attempt it is and why the one before ended', () => {
    const failover = sessionDetail({ ...provisioning, offerId: 'vastai:2', attempts: [attempt(1, 'deadline', { instanceId: '770' }), attempt(2, 'pending')] });
    expect(describePhase(failover)).toBe('failover attempt 2 (attempt 1: not ready in time): creating instance on vastai (offer vastai:2)');
    const booting = sessionDetail({ ...provisioning, providerInstanceId: '778', attempts: [attempt(1, 'offer_gone'), attempt(2, 'created', { instanceId: '778' })] });
    expect(describePhase(booting)).toBe('failover attempt 2 (attempt 1: offer gone): booting instance 778 on vastai');
    const between = sessionDetail({ ...provisioning, attempts: [attempt(1, 'failed', { error: 'HTTP 500' })] });
    expect(describePhase(between)).toBe('attempt 1 create failed (HTTP 500); looking for another offer');
  });

  it('names the ends: ready, stopping (why), stopped with its disk, terminated, failed (why)', () => {
    expect(describePhase(sessionDetail())).toBe('ready');
    const stopping = sessionDetail({ state: 'stopping', endReason: 'done', events: [{ at: '2026-01-01T11:00:00.000Z', from: 'ready', to: 'stopping', reason: 'done (storage: destroy)', actor: 'consumer:atlas' }] });
    expect(describePhase(stopping)).toBe('stopping (done (storage: destroy), instance 777 on vastai)');
    expect(describePhase(sessionDetail({ state: 'stopped' }))).toBe('stopped (disk kept; it still costs storage)');
    expect(describePhase(sessionDetail({ state: 'terminated' }))).toBe('terminated');
    expect(describePhase(sessionDetail({ state: 'failed', failureReason: 'no capacity' }))).toBe('failed (no capacity)');
  });

  it('reads elapsed time as seconds, then minutes and seconds', () => {
    expect([elapsed(0), elapsed(42_400), elapsed(65_000), elapsed(600_000)]).toEqual(['0s', '42s', '1m 05s', '10m 00s']);
  });
});

describe('ProgressLine', () => {
  const booting = sessionDetail({ ...provisioning, providerInstanceId: '777', attempts: [attempt(1, 'created', { instanceId: '777' })] });

  it('writes a line per phase change when not on a terminal', () => {
    const out: string[] = [];
    const line = new ProgressLine(false, (text) => out.push(text));
    line.update(booting, 1_000);
    line.update(booting, 3_000);
    line.update(sessionDetail(), 9_000);
    line.end();
    expect(out).toEqual(['ses_1: booting instance 777 on vastai, 1s elapsed\n', 'ses_1: ready, 9s elapsed\n']);
  });

  it('rewrites one line on a terminal, padding over a longer one, and ends it', () => {
    const out: string[] = [];
    const line = new ProgressLine(true, (text) => out.push(text));
    line.update(booting, 1_000);
    line.update(sessionDetail(), 2_000);
    line.end();
    expect(out[0]).toBe('\rses_1: booting instance 777 on vastai, 1s elapsed');
    expect(out[1]).toBe(`\r${'ses_1: ready, 2s elapsed'.padEnd(out[0]!.length - 1)}`);
    expect(out[2]).toBe('\n');
  });
});
