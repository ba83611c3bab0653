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
    reservationEndsAt: p.datetime(),
    hardMaxEndsAt: p.datetime(),
    label: p.string().unique(),
    endReason: p.enum([...END_REASONS]).nullable(),
    failureReason: p.text().nullable(),
    idempotencyKey: p.string().nullable(),
    updatedAt: p.datetime(),
    readyAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    version: p.integer().version(),
  },
  uniques: [{ properties: ['consumerId', 'idempotencyKey'] }],
});
export type SessionRow = InferEntity<typeof SessionEntity>;
