// A WebhookNotifier that records what it was asked to send, for assertions.
import type { WebhookEvent, WebhookNotifier } from '../webhooks/webhook-notifier';

export interface RecordedNotification {
  event: WebhookEvent;
  consumerId: string | null;
  payload: Record<string, unknown>;
  url: string | undefined;
}

export class RecordingNotifier implements WebhookNotifier {
  readonly sent: RecordedNotification[] = [];

  async notify(event: WebhookEvent, consumerId: string | null, payload: Record<string, unknown>, options?: { url?: string }): Promise<void> {
    this.sent.push({ event, consumerId, payload, url: options?.url });
  }
}
