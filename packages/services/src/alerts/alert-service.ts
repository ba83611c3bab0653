// Raising alerts operators must see (orphans, lost heartbeats, failed listings...): stored, logged,
// and sent to the webhooks.
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { AlertEntity, type AlertKind, type AlertRow } from '@gpu-shopper/db';
import { newId } from '../ids';
import type { WebhookEvent, WebhookNotifier } from '../webhooks/webhook-notifier';

export interface AlertInput {
  kind: AlertKind;
  message: string;
  sessionId?: string | null;
  consumerId?: string | null;
  provider?: string | null;
  instanceId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AlertSink {
  raise(em: EntityManager, alert: AlertInput, webhook?: WebhookEvent): Promise<AlertRow>;
}

export class AlertService implements AlertSink {
  constructor(
    private readonly clock: Clock,
    private readonly webhooks: WebhookNotifier,
    private readonly logger: { warn(message: string): void },
  ) {}

  async raise(em: EntityManager, alert: AlertInput, webhook?: WebhookEvent): Promise<AlertRow> {
    const row = em.create(AlertEntity, {
      id: newId('alr'),
      createdAt: this.clock.now(),
      kind: alert.kind,
      message: alert.message,
      sessionId: alert.sessionId ?? null,
      consumerId: alert.consumerId ?? null,
      provider: alert.provider ?? null,
      instanceId: alert.instanceId ?? null,
      resolvedAt: null,
      detail: alert.detail ?? null,
    });
    await em.flush();
    this.logger.warn(`alert ${alert.kind}: ${alert.message}`);
    if (webhook !== undefined) {
      await this.webhooks.notify(webhook, alert.consumerId ?? null, { alertId: row.id, kind: alert.kind, message: alert.message, sessionId: alert.sessionId ?? null, provider: alert.provider ?? null, instanceId: alert.instanceId ?? null, ...alert.detail });
    }
    return row;
  }
}
