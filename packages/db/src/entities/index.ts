export * from './api-key.entity';
export * from './budget.entity';
export * from './consumer.entity';
export * from './cost-entry.entity';
export * from './session-event.entity';
export * from './session.entity';

import { ApiKeyEntity } from './api-key.entity';
import { BudgetEntity } from './budget.entity';
import { ConsumerEntity } from './consumer.entity';
import { CostEntryEntity } from './cost-entry.entity';
import { SessionEventEntity } from './session-event.entity';
import { SessionEntity } from './session.entity';

/** Listed explicitly: no folder scanning, so the bundled server finds the same entities as the tests. */
export const ALL_ENTITIES = [ConsumerEntity, ApiKeyEntity, SessionEntity, SessionEventEntity, CostEntryEntity, BudgetEntity];
