// Provider keys: which providers are configured (and whether simulated), and setting a key at run
// time. A key is never returned: only a masked hint.
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { PROVIDER_NAMES } from '@gpu-shopper/domain';
import { adminProcedure } from '../../trpc';

const ProviderStatusSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  configured: z.boolean(),
  simulated: z.boolean(),
  source: z.enum(['environment', 'stored', 'simulated', 'none']),
  hint: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

function keysService<T>(service: T | null): T {
  if (service === null) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'provider keys cannot be configured on this server' });
  return service;
}

export const providers = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/admin/providers', tags: ['admin'], summary: 'Provider configuration (keys masked)', protect: true } })
  .input(z.object({}))
  .output(z.object({ providers: z.array(ProviderStatusSchema) }))
  .query(async ({ ctx }) => ({ providers: await keysService(ctx.services.providerKeys).status() }));

export const setProviderKey = adminProcedure
  .meta({ openapi: { method: 'PUT', path: '/admin/providers/{provider}/key', tags: ['admin'], summary: 'Set a provider key (validated, stored encrypted, used at once)', protect: true } })
  .input(z.object({ provider: z.enum(PROVIDER_NAMES), key: z.string().min(1).max(512) }))
  .output(ProviderStatusSchema)
  .mutation(({ ctx, input }) => keysService(ctx.services.providerKeys).set(input.provider, input.key, ctx.caller));
