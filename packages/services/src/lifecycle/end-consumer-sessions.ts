// Ends every live session of a consumer gracefully (a `shutdown` budget reached 100%). Idempotent:
// sessions already ending are left alone.
import type { Clock } from '@gpu-shopper/domain';
import { SessionEntity, type Orm } from '@gpu-shopper/db';
import { SYSTEM_ACTOR } from '../caller';
import { beginShutdown } from './shutdown';

export async function endConsumerSessions(orm: Orm, clock: Clock, consumerId: string, reason: string): Promise<number> {
  const em = orm.em.fork();
  const rows = await em.find(SessionEntity, { consumerId, state: { $in: ['provisioning', 'ready'] } });
  let ended = 0;
  for (const row of rows) if (beginShutdown(em, clock, row, { reason, actor: SYSTEM_ACTOR, endReason: 'budget' })) ended += 1;
  await em.flush();
  return ended;
}
