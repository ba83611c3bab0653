// API keys: created shown-once, stored as SHA-256 hashes, resolved to a Caller on every request.
// A key may expire, and may be rotated: a new secret for the same key (same id, role, consumer),
// the old secret refused at once or, when the operator asks for it, after a short grace
// (at most MAX_ROTATION_GRACE_SECONDS) to roll the new one out.
import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@gpu-shopper/db';
import type { ApiKeySummary, Caller, Clock } from '@gpu-shopper/domain';
import { ConflictError, ConsumerNameSchema, InvalidStateError, NotFoundError, UnauthorizedError, ValidationError } from '@gpu-shopper/domain';
import { ApiKeyEntity, ConsumerEntity, type ApiKeyRow, type ConsumerRow } from '@gpu-shopper/db';
import { recordOperatorAction } from '../audit/audit-log';
import { newId } from '../ids';
import { sha256Hex } from '../secrets/hash';

const KEY_PREFIX_LENGTH = 12;
const CALLER_CACHE_MS = 10_000;
/** The longest an old secret may keep working after a rotation: enough to redeploy, short enough to matter. */
export const MAX_ROTATION_GRACE_SECONDS = 3_600;

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function generateApiKey(role: 'admin' | 'consumer'): string {
  return `gs${role === 'admin' ? 'a' : 'c'}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Remembers resolved callers for a few seconds so that the hot path (every request) does not hit
 * the database. Revoking a key clears it at once.
 */
export class CallerCache {
  private readonly entries = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(private readonly clock: Clock) {}

  /** The caller for a presented key if it was verified in the last few seconds; null otherwise. */
  lookup(presentedKey: string | null): Caller | null {
    return presentedKey ? this.get(hashApiKey(presentedKey)) : null;
  }

  get(hash: string): Caller | null {
    const entry = this.entries.get(hash);
    if (entry === undefined) return null;
    if (entry.expiresAtMs <= this.clock.now().getTime()) {
      this.entries.delete(hash);
      return null;
    }
    return entry.caller;
  }

  /** `notAfter`: when the key (or this secret of it) stops working; the entry never outlives it. */
  set(hash: string, caller: Caller, notAfter: Date | null = null): void {
    if (this.entries.size > 10_000) this.entries.clear();
    const expiresAtMs = Math.min(this.clock.now().getTime() + CALLER_CACHE_MS, notAfter?.getTime() ?? Number.POSITIVE_INFINITY);
    this.entries.set(hash, { caller, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface CreatedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  summary: ApiKeySummary;
}

export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly callerCache: CallerCache,
  ) {}

  /**
   * Resolves a presented key to its caller. An unknown or revoked key is one 401 that says nothing
   * about which; an expired or rotated-away secret says so (only its holder can present it).
   */
  async authenticate(presentedKey: string | null | undefined): Promise<Caller> {
    if (!presentedKey) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
    const hash = hashApiKey(presentedKey);
    const cached = this.callerCache.get(hash);
    if (cached !== null) return cached;
    const row = await this.em.findOne(ApiKeyEntity, { $or: [{ hash }, { previousHash: hash }], revokedAt: null });
    if (row === null) throw new UnauthorizedError('invalid or revoked API key');
    const now = this.clock.now();
    let notAfter = row.expiresAt ?? null;
    if (row.hash !== hash) {
      const graceEnd = row.previousHashValidUntil ?? null;
      if (graceEnd === null || graceEnd <= now) throw new UnauthorizedError(`this API key was rotated at ${row.rotatedAt?.toISOString() ?? 'some point'} and its old secret no longer works: use the new key`);
      notAfter = notAfter === null || graceEnd < notAfter ? graceEnd : notAfter;
    }
    if (row.expiresAt && row.expiresAt <= now) throw new UnauthorizedError(`this API key (${row.id}) expired at ${row.expiresAt.toISOString()}: ask an operator for a new key or a rotation`);
    let caller: Caller;
    if (row.role === 'admin') {
      caller = { role: 'admin', keyId: row.id, consumerId: null };
    } else {
      const consumer = await this.em.findOne(ConsumerEntity, { id: row.consumerId ?? '' });
      if (consumer === null) throw new UnauthorizedError('invalid or revoked API key');
      caller = { role: 'consumer', keyId: row.id, consumerId: consumer.id, consumerName: consumer.name };
    }
    row.lastUsedAt = now;
    await this.em.flush();
    this.callerCache.set(hash, caller, notAfter);
    return caller;
  }

  /**
   * A consumer key; the consumer is created on first use of its name. `actor`: the operator creating
   * it, for the audit log (absent only where no one acts: bootstrap and tests).
   */
  async createConsumerKey(consumerName: string, options: { expiresAt?: Date; actor?: Caller } = {}): Promise<CreatedApiKey> {
    const parsed = ConsumerNameSchema.safeParse(consumerName);
    if (!parsed.success) throw new ValidationError('consumer', parsed.error.issues[0]?.message ?? 'invalid name');
    if (options.expiresAt !== undefined) this.assertFuture(options.expiresAt);
    const consumer = (await this.em.findOne(ConsumerEntity, { name: consumerName })) ?? this.createConsumer(consumerName);
    return this.createKey('consumer', consumer, options);
  }

  async createAdminKey(): Promise<CreatedApiKey> {
    return this.createKey('admin', null);
  }

  /** Registers a key chosen outside (GPU_SHOPPER_ADMIN_KEY) as an admin key, once. */
  async ensureAdminKey(key: string): Promise<void> {
    if (key.length < 16) throw new ValidationError('GPU_SHOPPER_ADMIN_KEY', 'must be at least 16 characters');
    const hash = hashApiKey(key);
    // Found as a previous secret: the key was rotated, and its old secret must not come back as a new key.
    const existing = await this.em.findOne(ApiKeyEntity, { $or: [{ hash }, { previousHash: hash }] });
    if (existing !== null) {
      if (existing.role !== 'admin') throw new ConflictError('GPU_SHOPPER_ADMIN_KEY is already registered as a consumer key');
      return;
    }
    try {
      await this.em.insert(ApiKeyEntity, { id: newId('key'), role: 'admin', consumerId: null, prefix: key.slice(0, KEY_PREFIX_LENGTH), hash, createdAt: this.clock.now(), revokedAt: null, lastUsedAt: null });
    } catch (error) {
      // Replicas starting together register the same key: one insert wins, and that is the point.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
  }

  async hasActiveAdminKey(): Promise<boolean> {
    return (await this.em.count(ApiKeyEntity, { role: 'admin', revokedAt: null })) > 0;
  }

  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.em.find(ApiKeyEntity, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const consumerIds = rows.flatMap((row) => (row.consumerId === null || row.consumerId === undefined ? [] : [row.consumerId]));
    const consumers = await this.em.find(ConsumerEntity, { id: { $in: consumerIds } });
    const names = new Map(consumers.map((consumer) => [consumer.id, consumer.name]));
    return rows.map((row) => toSummary(row, row.consumerId ? (names.get(row.consumerId) ?? null) : null));
  }

  async revoke(keyId: string, actor: Caller): Promise<ApiKeySummary> {
    const row = await this.em.findOne(ApiKeyEntity, { id: keyId });
    if (row === null) throw new NotFoundError('API key', keyId);
    if (row.id === actor.keyId) throw new ConflictError('refusing to revoke the key making this request');
    if (row.revokedAt === null || row.revokedAt === undefined) {
      row.revokedAt = this.clock.now();
      recordOperatorAction(this.em, this.clock, actor, 'key.revoked', row.id, { role: row.role, consumerId: row.consumerId ?? null });
      await this.em.flush();
      this.callerCache.clear();
    }
    const consumer = row.consumerId ? await this.em.findOne(ConsumerEntity, { id: row.consumerId }) : null;
    return toSummary(row, consumer?.name ?? null);
  }

  /**
   * A new secret for the same key. The old one is refused at once, or after `graceSeconds` (at most
   * MAX_ROTATION_GRACE_SECONDS) to roll the new one out. `expiresAt` replaces the key's expiry; left
   * out, the expiry stays.
   */
  async rotate(keyId: string, actor: Caller, options: { graceSeconds?: number; expiresAt?: Date } = {}): Promise<CreatedApiKey> {
    const graceSeconds = options.graceSeconds ?? 0;
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_ROTATION_GRACE_SECONDS) {
      throw new ValidationError('graceSeconds', `must be a whole number of seconds from 0 to ${MAX_ROTATION_GRACE_SECONDS}`);
    }
    if (options.expiresAt !== undefined) this.assertFuture(options.expiresAt);
    const row = await this.em.findOne(ApiKeyEntity, { id: keyId });
    if (row === null) throw new NotFoundError('API key', keyId);
    if (row.revokedAt) throw new InvalidStateError(`API key ${keyId} is revoked: create a new key instead`);
    const now = this.clock.now();
    const expiresAt = options.expiresAt ?? row.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= now) throw new InvalidStateError(`API key ${keyId} expired at ${expiresAt.toISOString()}: rotate it with a new expiresAt, or create a new key`);
    const key = generateApiKey(row.role);
    // The old hash is kept even without a grace: presented again, it gets "rotated", not "invalid".
    row.previousHash = row.hash;
    row.previousHashValidUntil = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
    row.hash = hashApiKey(key);
    row.prefix = key.slice(0, KEY_PREFIX_LENGTH);
    row.rotatedAt = now;
    row.expiresAt = expiresAt;
    recordOperatorAction(this.em, this.clock, actor, 'key.rotated', row.id, { role: row.role, consumerId: row.consumerId ?? null, graceSeconds, expiresAt: expiresAt?.toISOString() ?? null });
    await this.em.flush();
    this.callerCache.clear();
    const consumer = row.consumerId ? await this.em.findOne(ConsumerEntity, { id: row.consumerId }) : null;
    return { key, summary: toSummary(row, consumer?.name ?? null) };
  }

  private assertFuture(expiresAt: Date): void {
    if (Number.isNaN(expiresAt.getTime()) || expiresAt <= this.clock.now()) throw new ValidationError('expiresAt', 'must be in the future');
  }

  private createConsumer(name: string): ConsumerRow {
    return this.em.create(ConsumerEntity, { id: newId('con'), name, createdAt: this.clock.now() });
  }

  private async createKey(role: 'admin' | 'consumer', consumer: ConsumerRow | null, options: { expiresAt?: Date; actor?: Caller } = {}): Promise<CreatedApiKey> {
    const key = generateApiKey(role);
    const row = this.em.create(ApiKeyEntity, {
      id: newId('key'),
      role,
      consumerId: consumer?.id ?? null,
      prefix: key.slice(0, KEY_PREFIX_LENGTH),
      hash: hashApiKey(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
      expiresAt: options.expiresAt ?? null,
    });
    if (options.actor !== undefined) {
      recordOperatorAction(this.em, this.clock, options.actor, 'key.created', row.id, { role, consumerId: consumer?.id ?? null, consumer: consumer?.name ?? null, expiresAt: options.expiresAt?.toISOString() ?? null });
    }
    await this.em.flush();
    return { key, summary: toSummary(row, consumer?.name ?? null) };
  }
}

function toSummary(row: ApiKeyRow, consumerName: string | null): ApiKeySummary {
  return {
    id: row.id,
    role: row.role,
    consumerId: row.consumerId ?? null,
    consumerName,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    rotatedAt: row.rotatedAt?.toISOString() ?? null,
    previousSecretValidUntil: row.previousHashValidUntil?.toISOString() ?? null,
  };
}
