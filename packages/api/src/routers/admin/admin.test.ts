import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test-support/harness';

describe('admin router', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('creates a consumer key that works at once and is shown only once', async () => {
    const admin = h.as(h.adminKey);
    const created = await admin.admin.createKey({ consumer: 'cygnus' });
    expect(created.key).toMatch(/^gsc_/);
    expect(created.apiKey).toMatchObject({ role: 'consumer', consumerName: 'cygnus', revokedAt: null });
    expect(await h.as(created.key).admin.whoami({})).toMatchObject({ role: 'consumer', consumerName: 'cygnus' });
    const listed = await admin.admin.listKeys({});
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.keys.find((k) => k.id === created.apiKey.id)?.prefix).toBe(created.key.slice(0, 12));
  });

  it('gives a second key to an existing consumer, sharing its sessions', async () => {
    const second = await h.as(h.adminKey).admin.createKey({ consumer: 'atlas' });
    expect((await h.as(second.key).admin.whoami({})).consumerId).toBe((await h.as(h.keys.atlas!).admin.whoami({})).consumerId);
  });

  it('revokes a key: it stops working at once', async () => {
    const admin = h.as(h.adminKey);
    const atlas = await h.as(h.keys.atlas!).admin.whoami({});
    const revoked = await admin.admin.revokeKey({ id: atlas.keyId });
    expect(revoked.revokedAt).toBe('2026-03-01T10:00:00.000Z');
    await expect(h.as(h.keys.atlas!).admin.whoami({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses to revoke the key in use, or an unknown key', async () => {
    const admin = h.as(h.adminKey);
    const me = await admin.admin.whoami({});
    await expect(admin.admin.revokeKey({ id: me.keyId })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(admin.admin.revokeKey({ id: 'key_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates a key that expires: past its expiry it gets 401 saying so', async () => {
    const created = await h.as(h.adminKey).admin.createKey({ consumer: 'cygnus', expiresAt: '2026-03-01T11:00:00+00:00' });
    expect(created.apiKey.expiresAt).toBe('2026-03-01T11:00:00.000Z');
    expect(await h.as(created.key).admin.whoami({})).toMatchObject({ consumerName: 'cygnus' });
    h.clock.advance(3_600_000);
    await expect(h.as(created.key).admin.whoami({})).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('expired at 2026-03-01T11:00:00.000Z') });
    await expect(h.as(h.adminKey).admin.createKey({ consumer: 'cygnus', expiresAt: '2026-03-01T09:00:00Z' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('expiresAt') });
  });

  it('rotates a key: the new secret works for the same consumer, the old one stops', async () => {
    const admin = h.as(h.adminKey);
    const atlas = await h.as(h.keys.atlas!).admin.whoami({});
    const rotated = await admin.admin.rotateKey({ id: atlas.keyId });
    expect(rotated.key).toMatch(/^gsc_/);
    expect(rotated.apiKey).toMatchObject({ id: atlas.keyId, consumerName: 'atlas', rotatedAt: '2026-03-01T10:00:00.000Z', previousSecretValidUntil: null });
    expect(await h.as(rotated.key).admin.whoami({})).toEqual(atlas);
    await expect(h.as(h.keys.atlas!).admin.whoami({})).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('rotated') });
    expect(JSON.stringify(await admin.admin.listKeys({}))).not.toContain(rotated.key);
  });

  it('rotates with a grace: the old secret works for that long', async () => {
    const borealis = await h.as(h.keys.borealis!).admin.whoami({});
    const rotated = await h.as(h.adminKey).admin.rotateKey({ id: borealis.keyId, graceSeconds: 300 });
    expect(rotated.apiKey.previousSecretValidUntil).toBe('2026-03-01T10:05:00.000Z');
    expect(await h.as(h.keys.borealis!).admin.whoami({})).toEqual(borealis);
    h.clock.advance(300_000);
    await expect(h.as(h.keys.borealis!).admin.whoami({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(h.as(h.adminKey).admin.rotateKey({ id: borealis.keyId, graceSeconds: 7_200 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('graceSeconds') });
  });

  it('is for operators only', async () => {
    await expect(h.as(h.keys.atlas!).admin.rotateKey({ id: 'key_x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.as(h.keys.atlas!).admin.createKey({ consumer: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.as(h.keys.atlas!).admin.listKeys({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(h.as(null).admin.listKeys({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('validates consumer names', async () => {
    await expect(h.as(h.adminKey).admin.createKey({ consumer: 'no spaces please' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('consumer') });
  });
});
