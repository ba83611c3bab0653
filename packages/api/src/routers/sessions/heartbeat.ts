// POST /sessions/{id}/heartbeat: the node agent's proof of life, authenticated by its node token
// (not an API key). The answer carries the current reservation end and any shutdown instruction.
import { z } from 'zod';
import { annotateLogContext } from '@gpu-shopper/services';
import { publicProcedure } from '../../trpc';

const heartbeatInput = z.object({
  id: z.string().min(1).max(64),
  sessionId: z.string(),
  sentAt: z.iso.datetime(),
  status: z.looseObject({
    ready: z.boolean(),
    runningJobs: z.number().int().min(0),
    maxGpuUtilizationPercent: z.number().nullable(),
    /** When the agent's process started: the node was running by then (bounds the compute meter's start). */
    agentStartedAt: z.iso.datetime().optional(),
  }),
  activity: z.looseObject({}),
  idle: z.object({ idle: z.boolean(), idleSince: z.iso.datetime().nullable(), reason: z.string() }),
  final: z.boolean(),
});

export const heartbeat = publicProcedure
  .meta({ openapi: { method: 'POST', path: '/sessions/{id}/heartbeat', tags: ['nodes'], summary: 'Agent heartbeat (node token)', protect: true } })
  // The token first, as for API keys: a caller without the right one learns nothing about the input.
  .use(async ({ ctx, getRawInput, next }) => {
    const raw = await getRawInput();
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : '';
    await ctx.services.heartbeats.authenticate(id, ctx.apiKey);
    annotateLogContext({ sessionId: id });
    return next();
  })
  .input(heartbeatInput)
  .output(z.object({ reservationEndsAt: z.string().nullable(), shutdown: z.boolean(), shutdownReason: z.string().optional() }))
  .mutation(({ ctx, input }) => ctx.services.heartbeats.receive(input.id, ctx.apiKey, input));
