// API keys that expire and rotate, and the operator actions on keys in the audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Caller } from '@gpu-shopper/domain';
import { ApiKeyEntity, AuditEventEntity, type Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { ApiKeyService, CallerCache, hashApiKey } from './api-key-service';

describe('ApiKeyService expiry and rotation', () => {
  let orm: Orm;
  let clock: ManualClock;
  let cache: CallerCache;
  let operator: Caller;
  const service = () => new ApiKeyService(orm.em.fork(), clock, cache);
  const inAnHour = () => new Date(clock.now().getTime() + 3_600_000);

  beforeEach(async () => {
    orm = await openTestDatabase();
    clock = new ManualClock('2026-03-01T10:00:00.000Z');
    cache = new CallerCache(clock);
    const admin = await service().createAdminKey();
    operator = { role: 'admin', keyId: admin.summary.id, consumerId: null };
  });
  afterEach(() => orm.close());

  it('refuses an expired key with a message that says so, even one verified a moment before', async () => {
    const created = await service().createConsumerKey('atlas', { expiresAt: new Date(clock.now().getTime() + 5_000), actor: operator });
    expect(created.summary.expiresAt).toBe('2026-03-01T10:00:05.000Z');
    expect(await service().authenticate(created.key)).toMatchObject({ role: 'consumer', consumerName: 'atlas' });
    // Verified callers are cached for 10 s, but never past the key's expiry.
    clock.advance(5_000);
    await expect(service().authenticate(created.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: `this API key (${created.summary.id}) expired at 2026-03-01T10:00:05.000Z: ask an operator for a new key or a rotation` });
  });

  it('refuses an expiry that is not in the future', async () => {
    await expect(service().createConsumerKey('atlas', { expiresAt: clock.now() })).rejects.toMatchObject({ code: 'VALIDATION', field: 'expiresAt' });
    const key = await service().createConsumerKey('atlas');
    await expect(service().rotate(key.summary.id, operator, { expiresAt: new Date('2020-01-01T00:00:00Z') })).rejects.toMatchObject({ field: 'expiresAt' });
  });

  it('rotates a key: a new secret for the same key and consumer, the old secret refused at once', async () => {
    const created = await service().createConsumerKey('atlas', { actor: operator });
    const before = await service().authenticate(created.key);
    clock.advance(1_000);
    const rotated = await service().rotate(created.summary.id, operator);
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.summary).toMatchObject({ id: created.summary.id, consumerName: 'atlas', prefix: rotated.key.slice(0, 12), rotatedAt: '2026-03-01T10:00:01.000Z', previousSecretValidUntil: null });
    expect(await service().authenticate(rotated.key)).toEqual(before);
    await expect(service().authenticate(created.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('was rotated at 2026-03-01T10:00:01.000Z') });
  });

  it('keeps the old secret working through a grace, and not a moment longer', async () => {
    const created = await service().createConsumerKey('atlas');
    const rotated = await service().rotate(created.summary.id, operator, { graceSeconds: 60 });
    expect(rotated.summary.previousSecretValidUntil).toBe('2026-03-01T10:01:00.000Z');
    clock.advance(55_000);
    expect(await service().authenticate(created.key)).toMatchObject({ keyId: created.summary.id });
    clock.advance(5_000);
    await expect(service().authenticate(created.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await service().authenticate(rotated.key)).toMatchObject({ keyId: created.summary.id });
    // A second rotation leaves the first secret nowhere.
    await service().rotate(created.summary.id, operator);
    await expect(service().authenticate(created.key)).rejects.toMatchObject({ message: 'invalid or revoked API key' });
  });

  it('refuses to rotate a revoked or expired key, or with too long a grace', async () => {
    const created = await service().createConsumerKey('atlas', { expiresAt: inAnHour() });
    await expect(service().rotate(created.summary.id, operator, { graceSeconds: 3_601 })).rejects.toMatchObject({ code: 'VALIDATION', field: 'graceSeconds' });
    clock.advance(3_600_000);
    await expect(service().rotate(created.summary.id, operator)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('expired') });
    const renewed = await service().rotate(created.summary.id, operator, { expiresAt: inAnHour() });
    expect(await service().authenticate(renewed.key)).toMatchObject({ consumerName: 'atlas' });
    await service().revoke(created.summary.id, operator);
    await expect(service().rotate(created.summary.id, operator)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('revoked') });
    await expect(service().rotate('key_nope', operator)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('does not register a rotated-away GPU_SHOPPER_ADMIN_KEY again at the next start', async () => {
    const envKey = 'env-admin-key-0123456789';
    await service().ensureAdminKey(envKey);
    const row = await orm.em.fork().findOneOrFail(ApiKeyEntity, { hash: hashApiKey(envKey) });
    await service().rotate(row.id, operator);
    await service().ensureAdminKey(envKey);
    await expect(service().authenticate(envKey)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await orm.em.fork().count(ApiKeyEntity, { role: 'admin' })).toBe(2);
  });

  it('audits key creation, rotation and revocation by operators, with no secret in the log', async () => {
    const created = await service().createConsumerKey('atlas', { actor: operator, expiresAt: inAnHour() });
    const rotated = await service().rotate(created.summary.id, operator, { graceSeconds: 30 });
    await service().revoke(created.summary.id, operator);
    await service().revoke(created.summary.id, operator); // already revoked: nothing happens, nothing recorded
    const rows = await orm.em.fork().find(AuditEventEntity, {}, { orderBy: { id: 'asc' } });
    expect(rows.map((row) => [row.action, row.actorKeyId, row.actorConsumerId ?? null, row.target, row.at.toISOString()])).toEqual([
      ['key.created', operator.keyId, null, created.summary.id, '2026-03-01T10:00:00.000Z'],
      ['key.rotated', operator.keyId, null, created.summary.id, '2026-03-01T10:00:00.000Z'],
      ['key.revoked', operator.keyId, null, created.summary.id, '2026-03-01T10:00:00.000Z'],
    ]);
    expect(rows[0]?.detail).toEqual({ role: 'consumer', consumerId: created.summary.consumerId, consumer: 'atlas', expiresAt: '2026-03-01T11:00:00.000Z' });
    expect(rows[1]?.detail).toMatchObject({ graceSeconds: 30 });
    const logged = JSON.stringify(rows);
    for (const secret of [created.key, rotated.key, hashApiKey(created.key), hashApiKey(rotated.key), created.summary.prefix, rotated.summary.prefix]) expect(logged).not.toContain(secret);
  });
});
