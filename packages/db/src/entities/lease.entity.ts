// A named lease on a singleton background job (the provider sync, billing reconciliation): the
// replica holding an unexpired lease runs the job; a dead replica's lease is taken over once it
// expires. See packages/services/src/coordination/LEASES.md.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const LeaseEntity = defineEntity({
  name: 'Lease',
  tableName: 'leases',
  properties: {
    name: p.string().primary(),
    owner: p.string(),
    /** New on every acquisition: a holder whose token no longer matches has lost the lease. */
    token: p.string(),
    acquiredAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});
export type LeaseRow = InferEntity<typeof LeaseEntity>;
