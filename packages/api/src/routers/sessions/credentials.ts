// GET /sessions/{id}/credentials: SSH and node access, for the owning consumer only.
import { SessionCredentialsSchema } from '@gpu-shopper/domain';
import { protectedProcedure } from '../../trpc';
import { sessionIdInput } from './schemas';

export const credentials = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/sessions/{id}/credentials', tags: ['sessions'], summary: 'SSH and node credentials (owner only)', protect: true } })
  .input(sessionIdInput)
  .output(SessionCredentialsSchema)
  .query(({ ctx, input }) => ctx.services.sessions.credentials(ctx.caller, input.id));
