// One try at renting an offer for a session: failover leaves one row per offer tried.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { PROVIDER_NAMES, PROVISION_OUTCOMES } from '@gpu-shopper/domain';

export const ProvisionAttemptEntity = defineEntity({
  name: 'ProvisionAttempt',
  tableName: 'provision_attempts',
  properties: {
    id: p.integer().primary().autoincrement(),
    sessionId: p.string().index(),
    attempt: p.integer(),
    provider: p.enum([...PROVIDER_NAMES]),
    offerId: p.string(),
    instanceId: p.string().nullable(),
    outcome: p.enum([...PROVISION_OUTCOMES]),
    error: p.text().nullable(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
  },
});
export type ProvisionAttemptRow = InferEntity<typeof ProvisionAttemptEntity>;
