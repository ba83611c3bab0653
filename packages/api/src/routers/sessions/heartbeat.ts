// POST /sessions/{id}/heartbeat: the node agent's proof of life, authenticated by its node token
// (not an API key), and how a node reports that it failed (its bootstrap script, or the agent's LLM
// engine). The answer carries the current reservation end and any shutdown instruction.
import { z } from 'zod';
import { annotateLogContext } from '@gpu-shopper/services';
import { publicProcedure } from '../../trpc';

/** The agent's bound on a failure reason (agent/src/heartbeat/contract.ts). */
const FAILURE_REASON_MAX_CHARS = 2000;

const heartbeatInput = z.object({
  id: z.string().min(1).max(64),
  /** Repeats the path's id (the agent sends it); the path is what counts. */
  sessionId: z.string().optional(),
  /** Optional: the node bootstrap script, which reports failures, may not send one. */
  sentAt: z.iso.datetime({ offset: true }).optional(),
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
  /**
   * The node cannot serve: `bootstrap` from its start script (the agent never came up), `engine` from
   * the agent (its LLM engine was given up, or not ready by the agent's deadline). While the session
   * is provisioning, the attempt fails at once (failing over to another offer when possible) and the
   * answer says shutdown; on a ready session it is recorded as the session's failureReason.
   */
  failure: z
    .object({
      stage: z.enum(['bootstrap', 'engine']),
      reason: z.string().max(FAILURE_REASON_MAX_CHARS),
    })
    .optional(),
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
