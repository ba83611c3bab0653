import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MS_PER_HOUR, MS_PER_MINUTE } from '@gpu-shopper/domain';
import { CostEntryEntity, openDatabase, UsageEventEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { seedConsumer, seedPricedSession, seedUsage } from '../test-support/ledger-fixtures';
import { LedgerService } from './ledger';

async function ledgerRows(orm: Orm, sessionId: string) {
  const rows = await orm.em.fork().find(CostEntryEntity, { sessionId }, { orderBy: { hourStart: 'asc', kind: 'asc' } });
  return rows.map((row) => ({ hour: row.hourStart.toISOString().slice(11, 16), kind: row.kind, costMicros: row.costMicros }));
}

describe('LedgerService.accrue', () => {
  let orm: Orm;
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  beforeAll(async () => {
    orm = await openTestDatabase();
  });
  afterAll(() => orm.close());

  it('writes hourly compute and storage rows, idempotently, and extends open intervals as time passes', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'ledger-a', clock.now());
    const session = seedPricedSession(em, clock, { consumerId, computePerHourUsd: 0.6, storagePerHourUsd: 0.012 });
    seedUsage(em, session, 'storage_started', new Date('2026-03-01T10:30:00Z'));
    seedUsage(em, session, 'compute_started', new Date('2026-03-01T10:40:00Z'));
    await em.flush();
    const ledger = new LedgerService();

    await ledger.accrue(orm.em.fork(), new Date('2026-03-01T11:10:00Z'));
    expect(await ledgerRows(orm, session.id)).toEqual([
      { hour: '10:00', kind: 'compute', costMicros: 200_000 },
      { hour: '10:00', kind: 'storage', costMicros: 6_000 },
      { hour: '11:00', kind: 'compute', costMicros: 100_000 },
      { hour: '11:00', kind: 'storage', costMicros: 2_000 },
    ]);
    const again = await ledger.accrue(orm.em.fork(), new Date('2026-03-01T11:10:00Z'));
    expect(again).toEqual({ sessions: 1, written: 0, removed: 0 });

    const later = await ledger.accrue(orm.em.fork(), new Date('2026-03-01T11:40:00Z'));
    expect(later.written).toBe(2);
    expect((await ledgerRows(orm, session.id)).filter((row) => row.hour === '11:00')).toEqual([
      { hour: '11:00', kind: 'compute', costMicros: 400_000 },
      { hour: '11:00', kind: 'storage', costMicros: 8_000 },
    ]);
  });

  it('bills the preserved disk while stopped, nothing after destruction, and removes rows a corrected event no longer supports', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'ledger-b', clock.now());
    const session = seedPricedSession(em, clock, { consumerId, provider: 'tensordock', computePerHourUsd: 1, storagePerHourUsd: 0.1 });
    seedUsage(em, session, 'storage_started', new Date('2026-03-01T12:00:00Z'));
    seedUsage(em, session, 'compute_started', new Date('2026-03-01T12:00:00Z'));
    seedUsage(em, session, 'compute_stopped', new Date('2026-03-01T13:00:00Z'));
    seedUsage(em, session, 'storage_stopped', new Date('2026-03-01T15:00:00Z'));
    await em.flush();
    const ledger = new LedgerService();
    await ledger.accrue(orm.em.fork(), new Date('2026-03-01T20:00:00Z'));
    const rows = await ledgerRows(orm, session.id);
    expect(rows.filter((row) => row.kind === 'compute')).toEqual([{ hour: '12:00', kind: 'compute', costMicros: 1_000_000 }]);
    expect(rows.filter((row) => row.kind === 'storage').map((row) => row.costMicros)).toEqual([100_000, 100_000, 100_000]);

    // The lifecycle corrects history: the instance was destroyed an hour earlier than first recorded.
    const fix = orm.em.fork();
    const stop = await fix.findOneOrFail(UsageEventEntity, { sessionId: session.id, kind: 'storage_stopped' });
    stop.at = new Date('2026-03-01T14:00:00Z');
    await fix.flush();
    const result = await ledger.accrue(orm.em.fork(), new Date('2026-03-01T20:00:00Z'));
    expect(result.removed).toBe(1);
    expect((await ledgerRows(orm, session.id)).filter((row) => row.kind === 'storage')).toHaveLength(2);
  });

  it('accrues only the scoped consumer or session when asked', async () => {
    const em = orm.em.fork();
    const a = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'ledger-c', clock.now()) });
    const b = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'ledger-d', clock.now()) });
    for (const session of [a, b]) seedUsage(em, session, 'compute_started', new Date('2026-03-02T00:00:00Z'));
    await em.flush();
    const ledger = new LedgerService();
    await ledger.accrue(orm.em.fork(), new Date('2026-03-02T01:00:00Z'), { sessionId: a.id });
    expect(await ledgerRows(orm, a.id)).toHaveLength(2);
    expect(await ledgerRows(orm, b.id)).toHaveLength(0);
    await ledger.accrue(orm.em.fork(), new Date('2026-03-02T01:00:00Z'), { consumerId: b.consumerId });
    expect(await ledgerRows(orm, b.id)).toHaveLength(2);
  });

  it('leaves sessions that ended more than a week ago alone (settled), and still finishes recently ended ones', async () => {
    const em = orm.em.fork();
    const consumerId = seedConsumer(em, 'ledger-settled', clock.now());
    const now = new Date('2026-03-20T00:00:00Z');
    const old = seedPricedSession(em, clock, { consumerId, state: 'terminated' });
    old.endedAt = new Date('2026-03-10T00:00:00Z');
    seedUsage(em, old, 'compute_started', new Date('2026-03-09T22:00:00Z'));
    seedUsage(em, old, 'compute_stopped', new Date('2026-03-10T00:00:00Z'));
    const recent = seedPricedSession(em, clock, { consumerId, state: 'terminated' });
    recent.endedAt = new Date('2026-03-19T00:00:00Z');
    seedUsage(em, recent, 'compute_started', new Date('2026-03-18T23:00:00Z'));
    seedUsage(em, recent, 'compute_stopped', new Date('2026-03-19T00:00:00Z'));
    await em.flush();
    const result = await new LedgerService().accrue(orm.em.fork(), now, { consumerId });
    expect(result.sessions).toBe(1);
    expect(await ledgerRows(orm, old.id)).toEqual([]);
    expect((await ledgerRows(orm, recent.id)).filter((row) => row.kind === 'compute')).toEqual([{ hour: '23:00', kind: 'compute', costMicros: 400_000 }]);
  });

  it('survives concurrent accruals writing the same rows', async () => {
    const em = orm.em.fork();
    const session = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'ledger-e', clock.now()) });
    seedUsage(em, session, 'compute_started', new Date('2026-03-03T00:00:00Z'));
    await em.flush();
    const ledger = new LedgerService();
    const now = new Date('2026-03-03T05:30:00Z');
    await Promise.all(Array.from({ length: 5 }, () => ledger.accrue(orm.em.fork(), now)));
    const rows = await ledgerRows(orm, session.id);
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.kind === 'compute').reduce((sum, row) => sum + row.costMicros, 0)).toBe(2_200_000);
  });
});

describe('a restart loses no accrued time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-shopper-ledger-'));
  const dbPath = join(dir, 'ledger.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bills the same after the process restarts mid-session as without the restart', async () => {
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    let orm = await openDatabase({ dbPath });
    let em = orm.em.fork();
    const session = seedPricedSession(em, clock, { consumerId: seedConsumer(em, 'restart', clock.now()), computePerHourUsd: 0.75, storagePerHourUsd: 0.05 });
    seedUsage(em, session, 'storage_started', clock.now());
    clock.advance(2 * MS_PER_MINUTE);
    seedUsage(em, session, 'compute_started', clock.now());
    await em.flush();
    clock.advance(90 * MS_PER_MINUTE);
    await new LedgerService().accrue(orm.em.fork(), clock.now());
    await orm.close();

    // Down for 40 minutes: the instance kept running and costing, and the open interval says so.
    clock.advance(40 * MS_PER_MINUTE);
    orm = await openDatabase({ dbPath });
    clock.advance(3 * MS_PER_HOUR);
    em = orm.em.fork();
    seedUsage(em, session, 'compute_stopped', clock.now());
    seedUsage(em, session, 'storage_stopped', clock.now());
    await em.flush();
    await new LedgerService().accrue(orm.em.fork(), clock.now());
    const rows = await orm.em.fork().find(CostEntryEntity, { sessionId: session.id });
    const compute = rows.filter((row) => row.kind === 'compute').reduce((sum, row) => sum + row.costMicros, 0);
    const storage = rows.filter((row) => row.kind === 'storage').reduce((sum, row) => sum + row.costMicros, 0);
    const computeMinutes = 90 + 40 + 180;
    expect(compute).toBe(Math.round((0.75 * 1e6 * computeMinutes) / 60));
    expect(storage).toBe(Math.round((0.05 * 1e6 * (computeMinutes + 2)) / 60));
    await orm.close();
  });
});
