// A fresh API over an in-memory database, with an operator key and consumer keys, for router tests.
import { ManualClock } from '@gpu-shopper/domain';
import type { Orm } from '@gpu-shopper/db';
import { openTestDatabase } from '@gpu-shopper/db/test-support';
import { ApiKeyService, CallerCache, InventoryService, insertSession, type OfferSource, type SessionProvisioner } from '@gpu-shopper/services';
import { createInnerContext, type ApiDeps } from '../context';
import { createCaller } from '../root';

export interface Harness {
  orm: Orm;
  clock: ManualClock;
  deps: ApiDeps;
  adminKey: string;
  keys: Record<string, string>;
  /** A caller acting with the given key (or none). */
  as(apiKey: string | null): ReturnType<typeof createCaller>;
  /** Writes a session as provisioning would, for tests of everything after provisioning. */
  seedSession(consumerName: string, hours?: number): Promise<string>;
  close(): Promise<void>;
}

export async function createHarness(options: { adapters?: OfferSource[]; consumers?: string[]; provisioner?: SessionProvisioner } = {}): Promise<Harness> {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const orm = await openTestDatabase();
  const deps: ApiDeps = {
    orm,
    clock,
    inventory: new InventoryService({ adapters: options.adapters ?? [], clock }),
    callerCache: new CallerCache(clock),
    provisioner: options.provisioner ?? null,
  };
  const apiKeys = new ApiKeyService(orm.em.fork(), clock, deps.callerCache);
  const adminKey = (await apiKeys.createAdminKey()).key;
  const keys: Record<string, string> = {};
  for (const consumer of options.consumers ?? ['atlas', 'borealis']) keys[consumer] = (await apiKeys.createConsumerKey(consumer)).key;
  const as = (apiKey: string | null) => createCaller(createInnerContext(deps, { apiKey }));
  return {
    orm,
    clock,
    deps,
    adminKey,
    keys,
    as,
    async seedSession(consumerName, hours = 2) {
      const who = await as(keys[consumerName] ?? null).admin.whoami({});
      const em = orm.em.fork();
      const row = insertSession(em, clock, { consumerId: who.consumerId ?? '', workload: 'batch', reservationHours: hours, deploymentId: 'test', actor: 'test' });
      await em.flush();
      return row.id;
    },
    close: () => orm.close(),
  };
}
