// Raising alerts operators must see (orphans, lost heartbeats, failed listings...): stored, logged,
// and sent to the webhooks, the alert and its webhook in the caller's entity manager (one commit).
import type { EntityManager } from '@gpu-shopper/db';
import type { Clock } from '@gpu-shopper/domain';
import { AlertEntity, type AlertKind, type AlertRow } from '@gpu-shopper/db';
import { newId } from '../ids';
import type { ServiceLogger } from '../logging/service-logger';
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

export interface RaiseOptions {
  /**
   * true (default): `em` is flushed, so the alert, its webhook and whatever else `em` holds commit
   * together now. false: nothing is flushed; they commit with the caller's own flush or transaction,
   * and a change that fails to save raises nothing. Use false where a flush of the change follows.
   */
  flush?: boolean;
}

export interface AlertSink {
  raise(em: EntityManager, alert: AlertInput, webhook?: WebhookEvent, options?: RaiseOptions): Promise<AlertRow>;
}

export class AlertService implements AlertSink {
  constructor(
    private readonly clock: Clock,
    private readonly webhooks: WebhookNotifier,
    private readonly logger: ServiceLogger,
  ) {}

  async raise(em: EntityManager, alert: AlertInput, webhook?: WebhookEvent, options: RaiseOptions = {}): Promise<AlertRow> {
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
    if (webhook !== undefined) {
      const payload = { alertId: row.id, kind: alert.kind, message: alert.message, sessionId: alert.sessionId ?? null, provider: alert.provider ?? null, instanceId: alert.instanceId ?? null, ...alert.detail };
      await this.webhooks.notify(webhook, alert.consumerId ?? null, payload, { em });
    }
    if (options.flush !== false) await em.flush();
    this.logger.warn(`alert ${alert.kind}: ${alert.message}`, { alertId: row.id, alert: alert.kind, ...definedOnly({ sessionId: alert.sessionId, consumerId: alert.consumerId, provider: alert.provider, instanceId: alert.instanceId }) });
    return row;
  }
}

function definedOnly(fields: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
