// The audit log: operators' actions only, newest first, filtered by action and time, paged by cursor.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Caller } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { listAuditEvents, recordOperatorAction } from './audit-log';

describe('audit log', () => {
  let orm: Orm;
  const operator: Caller = { role: 'admin', keyId: 'key_op', consumerId: null };
  const consumer: Caller = { role: 'consumer', keyId: 'key_c', consumerId: 'con_1', consumerName: 'atlas' };

  beforeEach(async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    orm = await openTestDatabase();
    const em = orm.em.fork();
    for (let index = 0; index < 5; index += 1) {
      recordOperatorAction(em, clock, operator, index % 2 === 0 ? 'budget.set' : 'key.revoked', `target_${index}`, { index });
      recordOperatorAction(em, clock, consumer, 'budget.set', 'not_recorded');
      clock.advance(60_000);
    }
    await em.flush();
  });
  afterEach(() => orm.close());

  it('holds operator actions only, newest first', async () => {
    const page = await listAuditEvents(orm.em.fork());
    expect(page.events.map((event) => event.target)).toEqual(['target_4', 'target_3', 'target_2', 'target_1', 'target_0']);
    expect(page.events[0]).toMatchObject({ action: 'budget.set', actorKeyId: 'key_op', actorConsumerId: null, at: '2026-03-01T10:04:00.000Z', detail: { index: 4 } });
    expect(page.nextCursor).toBeNull();
  });

  it('pages by cursor, and filters by action and time', async () => {
    const first = await listAuditEvents(orm.em.fork(), { limit: 2 });
    expect(first.events.map((event) => event.target)).toEqual(['target_4', 'target_3']);
    const second = await listAuditEvents(orm.em.fork(), { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.events.map((event) => event.target)).toEqual(['target_2', 'target_1']);
    const last = await listAuditEvents(orm.em.fork(), { limit: 2, cursor: second.nextCursor ?? undefined });
    expect(last).toMatchObject({ events: [{ target: 'target_0' }], nextCursor: null });

    expect((await listAuditEvents(orm.em.fork(), { action: 'key.revoked' })).events.map((event) => event.target)).toEqual(['target_3', 'target_1']);
    const window = await listAuditEvents(orm.em.fork(), { since: new Date('2026-03-01T10:01:00.000Z'), until: new Date('2026-03-01T10:03:00.000Z') });
    expect(window.events.map((event) => event.target)).toEqual(['target_2', 'target_1']);
  });
});
