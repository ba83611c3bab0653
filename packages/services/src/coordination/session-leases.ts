// Per-session leases: a replica claims a session before it does provider-side or lifecycle work on
// it (renting, failing over, tearing down, reconciling), so each session is worked on by one replica
// at a time; a killed replica's sessions are taken over once their leases expire. Taking over a
// lease from another replica bumps the row's version, which fences the old holder: any write it
// still makes from a row it read before fails its optimistic-lock check. See LEASES.md.
import { randomBytes } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { Clock } from '@gpu-shopper/domain';
import { SessionEntity, type EntityManager, type Orm } from '@gpu-shopper/db';

export interface SessionLeasesOptions {
  orm: Orm;
  clock: Clock;
  /** This replica. */
  owner: string;
  /** How long a claim lasts unless renewed. */
  ttlMs: number;
}

/** The sessions one claim took; release() gives back exactly these (not leases held by other work in this replica). */
export interface SessionClaim {
  readonly ids: ReadonlySet<string>;
  release(): Promise<void>;
}

const BATCH = 500;

export class SessionLeases {
  constructor(private readonly options: SessionLeasesOptions) {}

  get owner(): string {
    return this.options.owner;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /**
   * Claims those of `ids` that are free, expired, or already this replica's (then renewed, and kept
   * by whoever in this replica took them). Returns the ones this replica now holds.
   */
  async claim(ids: readonly string[], em: EntityManager = this.options.orm.em.fork()): Promise<SessionClaim> {
    const { clock, owner, ttlMs } = this.options;
    const token = randomBytes(12).toString('hex');
    const now = clock.now();
    const lockExpiresAt = new Date(now.getTime() + ttlMs);
    const held = new Set<string>();
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = ids.slice(start, start + BATCH);
      // Ours already: renewed, token kept.
      await em.nativeUpdate(SessionEntity, { id: { $in: batch }, lockOwner: owner }, { lockExpiresAt });
      // Free: nobody can be writing from an older read on its behalf.
      await em.nativeUpdate(SessionEntity, { id: { $in: batch }, lockOwner: null }, { lockOwner: owner, lockToken: token, lockExpiresAt });
      // Expired, another replica's: taken over and fenced (version bump).
      await em.nativeUpdate(
        SessionEntity,
        { id: { $in: batch }, lockOwner: { $ne: owner }, lockExpiresAt: { $lt: now } },
        { lockOwner: owner, lockToken: token, lockExpiresAt, version: raw('version + 1') as unknown as number },
      );
      // Plain rows, not entities: made and registered 500 at a time, they held the event loop ~45 ms a batch.
      const rows = await em.createQueryBuilder(SessionEntity).select('id').where({ id: { $in: batch }, lockOwner: owner }).execute<{ id: string }[]>('all', true);
      for (const row of rows) held.add(row.id);
    }
    return { ids: held, release: () => this.releaseToken(token) };
  }

  /** Claims one session; null when another replica holds it. */
  async claimOne(id: string): Promise<SessionClaim | null> {
    const claim = await this.claim([id]);
    return claim.ids.has(id) ? claim : null;
  }

  /** Whether another replica holds an unexpired lease on the session. */
  async heldElsewhere(em: EntityManager, id: string): Promise<boolean> {
    const now = this.options.clock.now();
    return (await em.count(SessionEntity, { id, lockOwner: { $ne: null, $nin: [this.options.owner] }, lockExpiresAt: { $gte: now } })) > 0;
  }

  /** Gives up every session lease this replica holds (graceful shutdown). */
  async releaseAll(): Promise<void> {
    await this.options.orm.em.fork().nativeUpdate(SessionEntity, { lockOwner: this.options.owner }, { lockOwner: null, lockToken: null, lockExpiresAt: null });
  }

  private async releaseToken(token: string): Promise<void> {
    await this.options.orm.em.fork().nativeUpdate(SessionEntity, { lockToken: token, lockOwner: this.options.owner }, { lockOwner: null, lockToken: null, lockExpiresAt: null });
  }
}
