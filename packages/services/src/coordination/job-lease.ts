// Named leases on singleton background jobs (the lifecycle tick, the provider sync, accounting,
// billing reconciliation): with several replicas on one database, the replica holding a job's
// unexpired lease runs it; the others skip it. Sticky: the holder renews it each run, and a dead
// holder's lease is taken over once it expires. See LEASES.md.
import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Clock } from '@gpu-shopper/domain';
import { LeaseEntity, type Orm } from '@gpu-shopper/db';

export interface JobLeasesOptions {
  orm: Orm;
  clock: Clock;
  /** This replica. */
  owner: string;
}

export class JobLeases {
  constructor(private readonly options: JobLeasesOptions) {}

  /** Takes the lease, or renews it when this replica holds it; false while another replica holds it. */
  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const { orm, clock, owner } = this.options;
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const em = orm.em.fork();
    const renewed = await em.nativeUpdate(LeaseEntity, { name, owner }, { expiresAt });
    if (renewed > 0) return true;
    const token = randomBytes(12).toString('hex');
    const taken = await em.nativeUpdate(LeaseEntity, { name, expiresAt: { $lt: now } }, { owner, token, acquiredAt: now, expiresAt });
    if (taken > 0) return true;
    try {
      await em.insert(LeaseEntity, { name, owner, token, acquiredAt: now, expiresAt });
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return false; // another replica holds it
      throw error;
    }
  }

  /**
   * Runs `job` if this replica holds (or can take) the lease, renewing it every third of its life
   * while the job runs, so a long run is not taken over half-way. Returns whether it ran.
   */
  async runExclusive(name: string, ttlMs: number, job: () => Promise<void>): Promise<boolean> {
    if (!(await this.acquire(name, ttlMs))) return false;
    const renew = setInterval(() => void this.acquire(name, ttlMs).catch(() => undefined), Math.max(1, Math.floor(ttlMs / 3)));
    renew.unref?.();
    try {
      await job();
    } finally {
      clearInterval(renew);
    }
    return true;
  }

  /** Gives up every lease this replica holds (graceful shutdown: another replica takes over at once). */
  async releaseAll(): Promise<void> {
    const { orm, clock, owner } = this.options;
    await orm.em.fork().nativeUpdate(LeaseEntity, { owner }, { expiresAt: new Date(clock.now().getTime() - 1) });
  }
}
