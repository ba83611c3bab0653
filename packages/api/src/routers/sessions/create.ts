// POST /sessions: provision a GPU node for a consumer (an offer id, or requirements to pick one).
import { z } from 'zod';
import { PROVIDER_NAMES, ReservationHoursSchema, SessionSchema, WorkloadSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';

export const createInput = z
  .object({
    offerId: z.string().min(1).max(128).optional().describe('An offer id from GET /inventory'),
    gpu: z.string().max(64).optional(),
    minVramGb: z.number().positive().max(1024).optional(),
    maxPricePerHourUsd: z.number().positive().max(1000).optional(),
    region: z.string().max(64).optional(),
    provider: z.enum(PROVIDER_NAMES).optional(),
    hours: ReservationHoursSchema.describe('Reservation length, 1-12 hours'),
    workload: WorkloadSchema.default('batch'),
    llmModel: z.string().min(1).max(200).optional().describe('For workload "llm": the model the node serves'),
    sshPublicKey: z
      .string()
      .max(8192)
      .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/, 'must be an OpenSSH public key line')
      .optional(),
  })
  .refine((input) => input.offerId !== undefined || input.gpu !== undefined, { message: 'give an offerId or a gpu to look for', path: ['offerId'] })
  .refine((input) => input.workload !== 'llm' || input.llmModel !== undefined, { message: 'workload "llm" needs an llmModel', path: ['llmModel'] });

export const create = protectedProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/sessions',
      tags: ['sessions'],
      summary: 'Provision a GPU session (returns at once in state "provisioning")',
      protect: true,
      requestHeaders: z.object({ 'idempotency-key': z.string().max(128).optional() }),
    },
  })
  .input(createInput)
  .output(SessionSchema)
  .mutation(({ ctx, input }) => ctx.services.sessions.create(ctx.caller, { ...input, idempotencyKey: ctx.idempotencyKey ?? undefined }));
