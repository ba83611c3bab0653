// Webhook signing: receivers check `x-gpu-shopper-signature` against their secret to know a delivery
// came from us and was not altered. Exported for consumers' receivers as well as for our tests.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_SCHEME = 'sha256';

/** A fresh per-consumer secret, shown to its owner once. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed so a captured delivery cannot be replayed as new. */
export function signWebhook(secret: string, timestampSeconds: number | string, body: string): string {
  return `${SIGNATURE_SCHEME}=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** Constant-time check of a signature header against the raw request body. */
export function verifyWebhookSignature(secret: string, timestampSeconds: number | string, body: string, signatureHeader: string | null | undefined): boolean {
  if (typeof signatureHeader !== 'string') return false;
  const expected = Buffer.from(signWebhook(secret, timestampSeconds, body), 'utf8');
  const given = Buffer.from(signatureHeader.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
