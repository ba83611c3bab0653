// GET /alerts and GET /orphans: what operators must look at (orphans destroyed, lost heartbeats,
// failed listings, stuck teardowns, cost drift).
import { z } from 'zod';
import { AlertEntity, ALERT_KINDS, type EntityManager } from '@gpu-shopper/db';
import { adminProcedure } from '../../trpc';

const AlertSchema = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  message: z.string(),
  sessionId: z.string().nullable(),
  consumerId: z.string().nullable(),
  provider: z.string().nullable(),
  instanceId: z.string().nullable(),
  createdAt: z.string(),
});

const listInput = z.object({ since: z.iso.datetime({ offset: true }).optional(), limit: z.number().int().min(1).max(1000).optional() });

async function listAlerts(ctx: { em: EntityManager }, input: z.infer<typeof listInput>, kind?: (typeof ALERT_KINDS)[number]) {
  const where: Record<string, unknown> = {};
  if (kind !== undefined) where.kind = kind;
  if (input.since !== undefined) where.createdAt = { $gte: new Date(input.since) };
  const rows = await ctx.em.find(AlertEntity, where, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: input.limit ?? 100 });
  return rows.map((row) => ({ id: row.id, kind: row.kind, message: row.message, sessionId: row.sessionId ?? null, consumerId: row.consumerId ?? null, provider: row.provider ?? null, instanceId: row.instanceId ?? null, createdAt: row.createdAt.toISOString() }));
}

export const alerts = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/alerts', tags: ['admin'], summary: 'Operator alerts, newest first', protect: true } })
  .input(listInput.extend({ kind: z.enum(ALERT_KINDS).optional() }))
  .output(z.object({ alerts: z.array(AlertSchema) }))
  .query(async ({ ctx, input }) => ({ alerts: await listAlerts(ctx, input, input.kind) }));

export const orphans = adminProcedure
  .meta({ openapi: { method: 'GET', path: '/orphans', tags: ['admin'], summary: 'Orphaned instances detected (and destroyed)', protect: true } })
  .input(listInput)
  .output(z.object({ orphans: z.array(AlertSchema) }))
  .query(async ({ ctx, input }) => ({ orphans: await listAlerts(ctx, input, 'orphan') }));
