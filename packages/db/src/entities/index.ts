export * from './alert.entity';
export * from './api-key.entity';
export * from './audit-event.entity';
export * from './budget-alert.entity';
export * from './budget.entity';
export * from './consumer.entity';
export * from './cost-entry.entity';
export * from './cost-reconciliation.entity';
export * from './lease.entity';
export * from './override-request.entity';
export * from './provider-credential.entity';
export * from './provision-attempt.entity';
export * from './session-event.entity';
export * from './session.entity';
export * from './usage-event.entity';
export * from './webhook-delivery.entity';

import { AlertEntity } from './alert.entity';
import { ApiKeyEntity } from './api-key.entity';
import { AuditEventEntity } from './audit-event.entity';
import { BudgetAlertEntity } from './budget-alert.entity';
import { BudgetEntity } from './budget.entity';
import { ConsumerEntity } from './consumer.entity';
import { CostEntryEntity } from './cost-entry.entity';
import { CostReconciliationEntity } from './cost-reconciliation.entity';
import { LeaseEntity } from './lease.entity';
import { OverrideRequestEntity } from './override-request.entity';
import { ProviderCredentialEntity } from './provider-credential.entity';
import { ProvisionAttemptEntity } from './provision-attempt.entity';
import { SessionEventEntity } from './session-event.entity';
import { SessionEntity } from './session.entity';
import { UsageEventEntity } from './usage-event.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** Listed explicitly: no folder scanning, so the bundled server finds the same entities as the tests. */
export const ALL_ENTITIES = [
  ConsumerEntity,
  ApiKeyEntity,
  SessionEntity,
  SessionEventEntity,
  ProvisionAttemptEntity,
  OverrideRequestEntity,
  UsageEventEntity,
  CostEntryEntity,
  CostReconciliationEntity,
  BudgetEntity,
  BudgetAlertEntity,
  AlertEntity,
  WebhookDeliveryEntity,
  ProviderCredentialEntity,
  LeaseEntity,
  AuditEventEntity,
];
