import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import type { LogFields } from '../logging/service-logger';
import { insertSession, transitionSession } from './session-records';
import { SessionTransitionLog } from './session-transition-log';

describe('SessionTransitionLog', () => {
  let orm: Orm;
  let lines: { message: string; fields?: LogFields }[];
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const newSession = { consumerId: 'con_atlas', workload: 'batch' as const, reservationHours: 1, deploymentId: 'test', actor: 'consumer:atlas' };

  beforeEach(async () => {
    orm = await openTestDatabase();
    lines = [];
    const record = (message: string, fields?: LogFields) => lines.push({ message, fields });
    orm.em.getEventManager().registerSubscriber(new SessionTransitionLog({ info: record, warn: record }));
  });
  afterEach(() => orm.close(true));

  it('logs a session’s creation and each state change once, as each commits, with its session, provider and instance', async () => {
    const em = orm.em.fork();
    const row = insertSession(em, clock, newSession);
    expect(lines).toEqual([]);
    await em.flush();
    expect(lines).toEqual([{ message: 'session created', fields: expect.objectContaining({ sessionId: row.id, from: null, to: 'provisioning', actor: 'consumer:atlas', consumerId: 'con_atlas' }) }]);

    row.provider = 'vastai';
    row.providerInstanceId = '1234';
    transitionSession(em, clock, row, 'ready', { reason: 'agent healthy', actor: 'system' });
    await em.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({
      message: 'session state changed',
      fields: { sessionId: row.id, from: 'provisioning', to: 'ready', reason: 'agent healthy', actor: 'system', consumerId: 'con_atlas', provider: 'vastai', instanceId: '1234' },
    });
  });

  it('logs nothing for a change whose transaction rolls back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        insertSession(em, clock, newSession);
        await em.flush();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(lines).toEqual([]);
  });

  it('holds a change made in a nested transaction until the outer one commits', async () => {
    let seenBeforeOuterCommit = -1;
    await orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        insertSession(inner, clock, newSession);
        await inner.flush();
      });
      seenBeforeOuterCommit = lines.length;
    });
    expect(seenBeforeOuterCommit).toBe(0);
    expect(lines.map((line) => line.message)).toEqual(['session created']);
  });
});
