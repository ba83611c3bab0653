// The operators' webhook endpoint for the run: every replica posts its deliveries here, and the
// receiver counts them per event id. It answers 200 as soon as the body is in, so no delivery ever
// needs a retry: an event that arrives twice was sent twice. The server's delivery log, read at the
// end, tells which deliveries never arrived.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { WebhookDeliveryRow } from './shopper-api';

export const WEBHOOK_PATH = '/operators';

export interface WebhookReceipt {
  /** The envelope's id (or the x-gpu-shopper-event-id header): one per event, shared by its copies. */
  eventId: string | null;
  /** x-gpu-shopper-delivery: one per row of the delivery log. */
  deliveryId: string | null;
  event: string | null;
  atMs: number;
  signatureValid: boolean;
}

export interface DuplicateEvent {
  eventId: string;
  event: string | null;
  times: number;
  deliveryIds: string[];
  /** A replica was killed between the first and the last copy (a send not recorded before the kill). */
  acrossKill: boolean;
}

export interface WebhookFigures {
  receipts: number;
  events: number;
  /** Events that arrived more than once (the goal is 0). */
  duplicateEvents: number;
  /** Copies beyond the first, over all events. */
  extraDeliveries: number;
  /** The first 20, oldest first. */
  duplicates: DuplicateEvent[];
  badSignatures: number;
  /** Bodies that were not a JSON envelope with an id. */
  unparseable: number;
  /** Deliveries to this receiver in the server's log; null when it could not be read. */
  logged: number | null;
  /** The log holds only the newest rows: older ones could not be checked. */
  logTruncated: boolean;
  /** Logged deliveries (delivered or pending) that never arrived; null when the log could not be read. */
  undelivered: string[] | null;
  /** Logged deliveries the server gave up on. */
  failedInLog: number;
}

export class WebhookReceiver {
  readonly receipts: WebhookReceipt[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly secret: string,
  ) {}

  /** Listens on a port the OS picks, on loopback (the server accepts http:// only there). */
  static async start(secret: string): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((request, response) => {
      void readBody(request).then(
        (body) => {
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          receiver?.record(request, body);
        },
        () => response.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${WEBHOOK_PATH}`, secret);
    return receiver;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(request: IncomingMessage, body: string): void {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : null;
    };
    let envelope: { id?: unknown; event?: unknown } | null = null;
    try {
      envelope = JSON.parse(body) as { id?: unknown; event?: unknown };
    } catch {
      envelope = null;
    }
    const eventId = typeof envelope?.id === 'string' ? envelope.id : header('x-gpu-shopper-event-id');
    this.receipts.push({
      eventId,
      deliveryId: header('x-gpu-shopper-delivery'),
      event: typeof envelope?.event === 'string' ? envelope.event : header('x-gpu-shopper-event'),
      atMs: Date.now(),
      signatureValid: signatureMatches(this.secret, header('x-gpu-shopper-timestamp'), body, header('x-gpu-shopper-signature')),
    });
  }
}

/**
 * The figures from what arrived and (when readable) the server's delivery log. `killTimesMs`: when
 * replicas were killed, to tell a duplicate around a kill from one without.
 */
export function summarizeWebhooks(receipts: readonly WebhookReceipt[], input: { log: readonly WebhookDeliveryRow[] | null; logLimit: number; receiverUrl: string; killTimesMs: readonly number[] }): WebhookFigures {
  const byEvent = new Map<string, WebhookReceipt[]>();
  let unparseable = 0;
  for (const receipt of receipts) {
    if (receipt.eventId === null) {
      unparseable += 1;
      continue;
    }
    const list = byEvent.get(receipt.eventId) ?? [];
    list.push(receipt);
    byEvent.set(receipt.eventId, list);
  }
  const duplicates: DuplicateEvent[] = [...byEvent.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([eventId, list]) => {
      const firstMs = Math.min(...list.map((receipt) => receipt.atMs));
      const lastMs = Math.max(...list.map((receipt) => receipt.atMs));
      return {
        eventId,
        event: list[0]!.event,
        times: list.length,
        deliveryIds: [...new Set(list.flatMap((receipt) => (receipt.deliveryId === null ? [] : [receipt.deliveryId])))],
        acrossKill: input.killTimesMs.some((killMs) => killMs >= firstMs && killMs <= lastMs),
        firstMs,
      };
    })
    .sort((a, b) => a.firstMs - b.firstMs)
    .map(({ firstMs: _firstMs, ...duplicate }) => duplicate);
  const received = new Set(receipts.flatMap((receipt) => (receipt.deliveryId === null ? [] : [receipt.deliveryId])));
  const ours = input.log?.filter((row) => row.url === input.receiverUrl) ?? null;
  return {
    receipts: receipts.length,
    events: byEvent.size,
    duplicateEvents: duplicates.length,
    extraDeliveries: duplicates.reduce((sum, duplicate) => sum + duplicate.times - 1, 0),
    duplicates: duplicates.slice(0, 20),
    badSignatures: receipts.filter((receipt) => !receipt.signatureValid).length,
    unparseable,
    logged: ours?.length ?? null,
    logTruncated: input.log !== null && input.log.length >= input.logLimit,
    undelivered: ours === null ? null : ours.filter((row) => row.status !== 'failed' && !received.has(row.id)).map((row) => `${row.id} (${row.event}, ${row.status}, ${row.attempts} attempts)`),
    failedInLog: ours?.filter((row) => row.status === 'failed').length ?? 0,
  };
}

function signatureMatches(secret: string, timestamp: string | null, body: string, signature: string | null): boolean {
  if (timestamp === null || signature === null) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
