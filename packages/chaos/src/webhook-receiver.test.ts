import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeWebhooks, WebhookReceiver } from './webhook-receiver';

const SECRET = 'a-webhook-secret-of-some-length';
let receiver: WebhookReceiver | null = null;

afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

async function post(url: string, envelope: Record<string, unknown>, deliveryId: string, secret = SECRET): Promise<number> {
  const body = JSON.stringify(envelope);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-gpu-shopper-delivery': deliveryId,
      'x-gpu-shopper-timestamp': timestamp,
      'x-gpu-shopper-signature': `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
    },
    body,
  });
  return response.status;
}

describe('the webhook receiver', () => {
  it('answers 200 at once and counts copies per event id, checking signatures', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/operators$/);
    const envelope = { id: 'evt_1', event: 'session.ready', occurredAt: new Date().toISOString(), consumerId: null, data: {} };
    expect(await post(receiver.url, envelope, 'whd_1')).toBe(200);
    expect(await post(receiver.url, envelope, 'whd_1')).toBe(200);
    expect(await post(receiver.url, { ...envelope, id: 'evt_2' }, 'whd_2', 'another-secret-entirely')).toBe(200);
    const figures = summarizeWebhooks(receiver.receipts, {
      log: [
        { id: 'whd_1', event: 'session.ready', url: receiver.url, status: 'delivered', attempts: 1 },
        { id: 'whd_2', event: 'session.ready', url: receiver.url, status: 'delivered', attempts: 1 },
        { id: 'whd_3', event: 'session.ended', url: receiver.url, status: 'pending', attempts: 0 },
        { id: 'whd_4', event: 'session.ended', url: receiver.url, status: 'failed', attempts: 8 },
        { id: 'whd_5', event: 'session.ended', url: 'https://consumer.example/hook', status: 'pending', attempts: 0 },
      ],
      logLimit: 500,
      receiverUrl: receiver.url,
      killTimesMs: [],
    });
    expect(figures).toMatchObject({ receipts: 3, events: 2, duplicateEvents: 1, extraDeliveries: 1, badSignatures: 1, unparseable: 0, logged: 4, logTruncated: false, failedInLog: 1 });
    expect(figures.duplicates).toEqual([{ eventId: 'evt_1', event: 'session.ready', times: 2, deliveryIds: ['whd_1'], acrossKill: false }]);
    expect(figures.undelivered).toEqual(['whd_3 (session.ended, pending, 0 attempts)']);
  });

  it('says when the log could not be read or holds only the newest rows', () => {
    expect(summarizeWebhooks([], { log: null, logLimit: 500, receiverUrl: 'x', killTimesMs: [] })).toMatchObject({ logged: null, undelivered: null, logTruncated: false });
    const full = [...Array(3).keys()].map((index) => ({ id: `whd_${index}`, event: 'e', url: 'x', status: 'delivered' as const, attempts: 1 }));
    expect(summarizeWebhooks([], { log: full, logLimit: 3, receiverUrl: 'x', killTimesMs: [] }).logTruncated).toBe(true);
  });
});
