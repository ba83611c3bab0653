// A session row is written before any provider is called (write-ahead), so that an instance we
// create can always be traced back to it, even after a crash.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { END_REASONS, PROVIDER_NAMES, SESSION_STATES, WORKLOADS } from '@gpu-shopper/domain';
import { baseProperties } from './base';

export const SessionEntity = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    ...baseProperties,
    consumerId: p.string().index(),
    state: p.enum([...SESSION_STATES]).index(),
    workload: p.enum([...WORKLOADS]),
    llmModel: p.string().nullable(),
    offerId: p.string().nullable(),
    provider: p.enum([...PROVIDER_NAMES]).nullable(),
    providerInstanceId: p.string().nullable().index(),
    gpuModel: p.string().nullable(),
    pricePerHourUsd: p.double().$type<number>().nullable(),
    reservationHours: p.double().$type<number>(),
    reservationStartsAt: p.datetime(),
    // With the state, indexed for the deadline tick, which looks only at sessions near or past these.
    reservationEndsAt: p.datetime(),
    hardMaxEndsAt: p.datetime(),
    label: p.string().unique(),
    endReason: p.enum([...END_REASONS]).nullable(),
    failureReason: p.text().nullable(),
    idempotencyKey: p.string().nullable(),
    /** SHA-256 of the canonical request body the idempotency key was first used with. */
    requestFingerprint: p.string().nullable(),
    /** What the consumer asked for (filters), kept so failover can find the next offer after a restart. */
    provisionRequest: p.json<Record<string, unknown>>().nullable(),
    /** The offer's price split, kept so the ledger bills compute and storage by their own rules. */
    computePerHourUsd: p.double().$type<number>().nullable(),
    storagePerHourUsd: p.double().$type<number>().nullable(),
    diskGb: p.integer().nullable(),
    storagePolicy: p.enum(['preserve', 'destroy'] as const).nullable(),
    /** The provider's state as last observed (our InstanceState vocabulary). */
    instanceState: p.string().nullable(),
    provisionAttempts: p.integer().default(0),
    provisionDeadlineAt: p.datetime().nullable(),
    sshHost: p.string().nullable(),
    sshPort: p.integer().nullable(),
    sshUser: p.string().nullable(),
    sshPublicKey: p.text().nullable(),
    /** Secrets at rest are encrypted with the server's master key. */
    sshPrivateKeyEncrypted: p.text().nullable(),
    nodeEndpoint: p.text().nullable(),
    nodeTokenHash: p.string().nullable().index(),
    nodeTokenEncrypted: p.text().nullable(),
    lastHeartbeatAt: p.datetime().nullable(),
    /** The agent's own readiness (an LLM engine still loading a model is not ready). */
    agentReady: p.boolean().default(false),
    agentIdle: p.boolean().default(false),
    agentIdleSince: p.datetime().nullable(),
    heartbeatAlertedAt: p.datetime().nullable(),
    expiringNotifiedAt: p.datetime().nullable(),
    /** Set when the reservation ended on a busy node: shut down at this time unless extended. */
    graceEndsAt: p.datetime().nullable(),
    shutdownRequestedAt: p.datetime().nullable(),
    /** Provider observations (ledger bounds): last listed, last seen running, last seen not running since. */
    instanceSeenAt: p.datetime().nullable(),
    instanceSeenRunningAt: p.datetime().nullable(),
    instanceSeenNotRunningAt: p.datetime().nullable(),
    /** When the node's agent process started (from its heartbeats): the node was running by then. */
    agentStartedAt: p.datetime().nullable(),
    /** The node's agent said it was shutting down, unasked (its final heartbeat): the instance's likely end. */
    nodeStoppedAt: p.datetime().nullable(),
    /** Written before the first destroy call since the instance was last seen running (compute stops here). */
    destroyRequestedAt: p.datetime().nullable(),
    /** Teardown: the next time destroy is attempted, and how many attempts so far. */
    nextTeardownAt: p.datetime().nullable(),
    teardownAttempts: p.integer().default(0),
    /** Lifecycle lease: the replica working on this session until lockExpiresAt (see LEASES.md). */
    lockOwner: p.string().nullable(),
    lockToken: p.string().nullable(),
    lockExpiresAt: p.datetime().nullable(),
    updatedAt: p.datetime(),
    readyAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    version: p.integer().version(),
  },
  uniques: [{ properties: ['consumerId', 'idempotencyKey'] }],
  // The deadline tick's selections, each (state, column): the state alone would have the planner read
  // every ready session (SQLite has no statistics to know better). The idle job looks for the few
  // idle nodes among thousands of busy ones; session lists are keyset-paged newest first.
  indexes: [
    { properties: ['state', 'reservationEndsAt'] },
    { properties: ['state', 'hardMaxEndsAt'] },
    { properties: ['state', 'lastHeartbeatAt'] },
    { properties: ['state', 'graceEndsAt'] },
    { properties: ['agentIdle', 'state'] },
    { properties: ['createdAt', 'id'] },
  ],
});
export type SessionRow = InferEntity<typeof SessionEntity>;
