// Looking consumers up by name, for operators who address them that way.
import type { EntityManager } from '@gpu-shopper/db';
import { NotFoundError } from '@gpu-shopper/domain';
import { ConsumerEntity } from '@gpu-shopper/db';

export async function consumerIdByName(em: EntityManager, name: string): Promise<string> {
  const consumer = await em.findOne(ConsumerEntity, { name });
  if (consumer === null) throw new NotFoundError('consumer', name);
  return consumer.id;
}
