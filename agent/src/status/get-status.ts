// GET /node/v1/status: node health and resource usage as the agent sees it.
import { z } from 'zod';
import { protectedProcedure } from '../trpc';
import { buildNodeStatus, nodeStatusSchema } from './node-status';

export const getStatus = protectedProcedure
  .meta({ openapi: { method: 'GET', path: '/status', tags: ['status'], summary: 'Node health, resources, jobs, LLM engine, idle state', protect: true } })
  .input(z.object({}))
  .output(nodeStatusSchema)
  .query(({ ctx }) => buildNodeStatus(ctx.runtime));
