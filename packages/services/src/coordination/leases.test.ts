// Leases on both dialects: two JobLeases / SessionLeases with different owners are two replicas.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptimisticLockError } from '@mikro-orm/core';
import { ManualClock } from '@gpu-shopper/domain';
import { SessionEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { seedConsumer, seedPricedSession } from '../test-support/ledger-fixtures';
import { JobLeases } from './job-lease';
import { SessionLeases } from './session-leases';

let orm: Orm;
let clock: ManualClock;
beforeEach(async () => {
  orm = await openTestDatabase();
  clock = new ManualClock('2026-11-29T08:00:00.000Z');
});
afterEach(() => orm.close());

async function seedSessions(count: number): Promise<string[]> {
  const em = orm.em.fork();
  const consumerId = seedConsumer(em, 'leases', clock.now());
  const ids = Array.from({ length: count }, () => seedPricedSession(em, clock, { consumerId, computePerHourUsd: 0.4, storagePerHourUsd: 0.01, reservationHours: 2, state: 'ready' }).id);
  await em.flush();
  return ids;
}

describe('JobLeases', () => {
  it('lets one replica hold a job, renews it for the holder, and hands it over only once it expires', async () => {
    const a = new JobLeases({ orm, clock, owner: 'replica-a' });
    const b = new JobLeases({ orm, clock, owner: 'replica-b' });
    expect(await a.acquire('lifecycle', 30_000)).toBe(true);
    expect(await b.acquire('lifecycle', 30_000)).toBe(false);
    clock.advance(20_000);
    expect(await a.acquire('lifecycle', 30_000)).toBe(true); // renewed: now until +50 s
    clock.advance(20_000);
    expect(await b.acquire('lifecycle', 30_000)).toBe(false);
    clock.advance(10_001); // A died: its lease runs out
    expect(await b.acquire('lifecycle', 30_000)).toBe(true);
    expect(await a.acquire('lifecycle', 30_000)).toBe(false);
    expect(await a.acquire('provider-sync', 30_000)).toBe(true); // another job, another lease
  });

  it('runs a job only on the holder, and a released lease is taken at once', async () => {
    const a = new JobLeases({ orm, clock, owner: 'replica-a' });
    const b = new JobLeases({ orm, clock, owner: 'replica-b' });
    const ran: string[] = [];
    expect(await a.runExclusive('accounting', 60_000, async () => void ran.push('a'))).toBe(true);
    expect(await b.runExclusive('accounting', 60_000, async () => void ran.push('b'))).toBe(false);
    await a.releaseAll(); // graceful shutdown
    expect(await b.runExclusive('accounting', 60_000, async () => void ran.push('b'))).toBe(true);
    expect(ran).toEqual(['a', 'b']);
  });

  it('lets exactly one of many replicas racing for a new lease win', async () => {
    const replicas = Array.from({ length: 8 }, (_, index) => new JobLeases({ orm, clock, owner: `replica-${index}` }));
    const won = await Promise.all(replicas.map((replica) => replica.acquire('reconciliation', 30_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});

describe('SessionLeases', () => {
  it('gives each session to one replica; the other gets only what is free', async () => {
    const [s1, s2, s3] = await seedSessions(3);
    const a = new SessionLeases({ orm, clock, owner: 'replica-a', ttlMs: 30_000 });
    const b = new SessionLeases({ orm, clock, owner: 'replica-b', ttlMs: 30_000 });
    const claimA = await a.claim([s1!, s2!]);
    expect([...claimA.ids].sort()).toEqual([s1, s2].sort());
    const claimB = await b.claim([s1!, s2!, s3!]);
    expect([...claimB.ids]).toEqual([s3]);
    expect(await b.heldElsewhere(orm.em.fork(), s1!)).toBe(true);
    await claimA.release();
    expect([...(await b.claim([s1!])).ids]).toEqual([s1]);
    // B's later claim of a session it already holds renews it; releasing that claim leaves the first claim's lease alone.
    const again = await b.claim([s3!]);
    await again.release();
    expect((await orm.em.fork().findOneOrFail(SessionEntity, { id: s3! })).lockOwner).toBe('replica-b');
  });

  it('takes over an expired lease and fences the old holder: its write from an older read fails', async () => {
    const [id] = await seedSessions(1);
    const a = new SessionLeases({ orm, clock, owner: 'replica-a', ttlMs: 30_000 });
    const b = new SessionLeases({ orm, clock, owner: 'replica-b', ttlMs: 30_000 });
    expect((await a.claim([id!])).ids.has(id!)).toBe(true);
    const staleEm = orm.em.fork();
    const stale = await staleEm.findOneOrFail(SessionEntity, { id: id! }); // A read it, then stalled
    expect((await b.claim([id!])).ids.has(id!)).toBe(false);
    clock.advance(30_001);
    expect((await b.claim([id!])).ids.has(id!)).toBe(true);
    stale.failureReason = 'written by a replica that lost its lease';
    await expect(staleEm.flush()).rejects.toBeInstanceOf(OptimisticLockError);
    const row = await orm.em.fork().findOneOrFail(SessionEntity, { id: id! });
    expect(row.lockOwner).toBe('replica-b');
    expect(row.failureReason ?? null).toBeNull();
  });

  it('hands every lease of a replica back on releaseAll', async () => {
    const ids = await seedSessions(3);
    const a = new SessionLeases({ orm, clock, owner: 'replica-a', ttlMs: 30_000 });
    const b = new SessionLeases({ orm, clock, owner: 'replica-b', ttlMs: 30_000 });
    await a.claim(ids);
    expect((await b.claim(ids)).ids.size).toBe(0);
    await a.releaseAll();
    expect((await b.claim(ids)).ids.size).toBe(3);
  });
});
