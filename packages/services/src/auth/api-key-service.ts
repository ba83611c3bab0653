// API keys: created shown-once, stored as SHA-256 hashes, resolved to a Caller on every request.
import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@gpu-shopper/db';
import type { ApiKeySummary, Caller, Clock } from '@gpu-shopper/domain';
import { ConflictError, ConsumerNameSchema, NotFoundError, UnauthorizedError, ValidationError } from '@gpu-shopper/domain';
import { ApiKeyEntity, ConsumerEntity, type ApiKeyRow, type ConsumerRow } from '@gpu-shopper/db';
import { newId } from '../ids';
import { sha256Hex } from '../secrets/hash';

const KEY_PREFIX_LENGTH = 12;
const CALLER_CACHE_MS = 10_000;

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

  set(hash: string, caller: Caller): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(hash, { caller, expiresAtMs: this.clock.now().getTime() + CALLER_CACHE_MS });
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

  /** Resolves a presented key to its caller; any problem is the same 401, saying nothing about which. */
  async authenticate(presentedKey: string | null | undefined): Promise<Caller> {
    if (!presentedKey) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
    const hash = hashApiKey(presentedKey);
    const cached = this.callerCache.get(hash);
    if (cached !== null) return cached;
    const row = await this.em.findOne(ApiKeyEntity, { hash, revokedAt: null });
    if (row === null) throw new UnauthorizedError('invalid or revoked API key');
    let caller: Caller;
    if (row.role === 'admin') {
      caller = { role: 'admin', keyId: row.id, consumerId: null };
    } else {
      const consumer = await this.em.findOne(ConsumerEntity, { id: row.consumerId ?? '' });
      if (consumer === null) throw new UnauthorizedError('invalid or revoked API key');
      caller = { role: 'consumer', keyId: row.id, consumerId: consumer.id, consumerName: consumer.name };
    }
    row.lastUsedAt = this.clock.now();
    await this.em.flush();
    this.callerCache.set(hash, caller);
    return caller;
  }

  /** A consumer key; the consumer is created on first use of its name. */
  async createConsumerKey(consumerName: string): Promise<CreatedApiKey> {
    const parsed = ConsumerNameSchema.safeParse(consumerName);
    if (!parsed.success) throw new ValidationError('consumer', parsed.error.issues[0]?.message ?? 'invalid name');
    const consumer = (await this.em.findOne(ConsumerEntity, { name: consumerName })) ?? this.createConsumer(consumerName);
    return this.createKey('consumer', consumer);
  }

  async createAdminKey(): Promise<CreatedApiKey> {
    return this.createKey('admin', null);
  }

  /** Registers a key chosen outside (GPU_SHOPPER_ADMIN_KEY) as an admin key, once. */
  async ensureAdminKey(key: string): Promise<void> {
    if (key.length < 16) throw new ValidationError('GPU_SHOPPER_ADMIN_KEY', 'must be at least 16 characters');
    const hash = hashApiKey(key);
    const existing = await this.em.findOne(ApiKeyEntity, { hash });
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

  async revoke(keyId: string, actingKeyId: string): Promise<ApiKeySummary> {
    const row = await this.em.findOne(ApiKeyEntity, { id: keyId });
    if (row === null) throw new NotFoundError('API key', keyId);
    if (row.id === actingKeyId) throw new ConflictError('refusing to revoke the key making this request');
    if (row.revokedAt === null || row.revokedAt === undefined) {
      row.revokedAt = this.clock.now();
      await this.em.flush();
      this.callerCache.clear();
    }
    const consumer = row.consumerId ? await this.em.findOne(ConsumerEntity, { id: row.consumerId }) : null;
    return toSummary(row, consumer?.name ?? null);
  }

  private createConsumer(name: string): ConsumerRow {
    return this.em.create(ConsumerEntity, { id: newId('con'), name, createdAt: this.clock.now() });
  }

  private async createKey(role: 'admin' | 'consumer', consumer: ConsumerRow | null): Promise<CreatedApiKey> {
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
    });
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
  };
}
