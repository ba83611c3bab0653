// GET /audit: every operator action — keys, budgets, overrides, forced shutdowns — newest first,
// filtered and paged; operators only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test-support/harness';

describe('audit router', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('records each operator action with its actor, target and time', async () => {
    const admin = h.as(h.adminKey);
    const me = await admin.admin.whoami({});
    const created = await admin.admin.createKey({ consumer: 'cygnus' });
    h.clock.advance(1_000);
    await admin.admin.rotateKey({ id: created.apiKey.id });
    await admin.admin.revokeKey({ id: created.apiKey.id });
    const budget = await admin.budgets.create({ consumer: 'atlas', limitUsd: 20, period: 'day' });
    await admin.budgets.delete({ id: budget.id });
    const first = await h.seedSession('atlas', 12);
    const second = await h.seedSession('atlas', 12);
    const approveMe = (await h.as(h.keys.atlas!).sessions.extend({ id: first, hours: 2 })).overrideRequests[0]!.id;
    const denyMe = (await h.as(h.keys.atlas!).sessions.extend({ id: second, hours: 2 })).overrideRequests[0]!.id;
    await admin.overrides.approve({ id: approveMe });
    await admin.overrides.deny({ id: denyMe });
    await admin.sessions.shutdown({ id: first });

    const { events, nextCursor } = await admin.audit.list({});
    expect(nextCursor).toBeNull();
    expect(events.map((event) => [event.action, event.target])).toEqual([
      ['session.force_shutdown', first],
      ['override.denied', denyMe],
      ['override.approved', approveMe],
      ['budget.deleted', budget.id],
      ['budget.set', budget.id],
      ['key.revoked', created.apiKey.id],
      ['key.rotated', created.apiKey.id],
      ['key.created', created.apiKey.id],
    ]);
    for (const event of events) expect(event).toMatchObject({ actorKeyId: me.keyId, actorConsumerId: null });
    expect(events.at(-1)?.at).toBe('2026-03-01T10:00:00.000Z');
    expect(events[0]).toMatchObject({ at: '2026-03-01T10:00:01.000Z', detail: { fromState: 'provisioning' } });
    expect(JSON.stringify(events)).not.toContain(created.key.slice(4));
  });

  it('records nothing a consumer does to its own things', async () => {
    const atlas = h.as(h.keys.atlas!);
    const budget = await atlas.budgets.create({ limitUsd: 5, period: 'day' });
    await atlas.budgets.delete({ id: budget.id });
    await atlas.sessions.shutdown({ id: await h.seedSession('atlas') });
    expect((await h.as(h.adminKey).audit.list({})).events).toEqual([]);
  });

  it('filters by action and time and pages with a cursor', async () => {
    const admin = h.as(h.adminKey);
    for (const period of ['day', 'month', 'total'] as const) {
      await admin.budgets.create({ limitUsd: 100, period });
      h.clock.advance(60_000);
    }
    await admin.admin.createKey({ consumer: 'cygnus' });
    expect((await admin.audit.list({ action: 'key.created' })).events).toHaveLength(1);
    const recent = await admin.audit.list({ action: 'budget.set', since: '2026-03-01T10:01:00Z', until: '2026-03-01T10:03:00Z' });
    expect(recent.events.map((event) => event.detail.period)).toEqual(['total', 'month']);
    const page = await admin.audit.list({ action: 'budget.set', limit: 2 });
    expect(page.events.map((event) => event.detail.period)).toEqual(['total', 'month']);
    const next = await admin.audit.list({ action: 'budget.set', limit: 2, cursor: page.nextCursor! });
    expect(next).toMatchObject({ events: [{ detail: { period: 'day' } }], nextCursor: null });
    await expect(admin.audit.list({ action: 'budget.exploded' as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('is for operators only', async () => {
    await expect(h.as(h.keys.atlas!).audit.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.as(null).audit.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
