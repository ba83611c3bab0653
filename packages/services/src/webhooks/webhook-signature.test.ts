import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ event: 'session.ready' });

  it('verifies what it signed, and nothing else', () => {
    const header = signWebhook(secret, 1_767_225_600, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, '1767225600', body, header)).toBe(true);
    expect(verifyWebhookSignature(secret, 1_767_225_601, body, header)).toBe(false);
    expect(verifyWebhookSignature(secret, 1_767_225_600, `${body} `, header)).toBe(false);
    expect(verifyWebhookSignature(generateWebhookSecret(), 1_767_225_600, body, header)).toBe(false);
    expect(verifyWebhookSignature(secret, 1_767_225_600, body, header.slice(0, -1))).toBe(false);
    expect(verifyWebhookSignature(secret, 1_767_225_600, body, undefined)).toBe(false);
  });

  it('generates distinct, prefixed secrets', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});
