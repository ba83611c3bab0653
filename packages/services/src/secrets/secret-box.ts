// Secrets at rest (node tokens, SSH private keys, provider keys, webhook secrets) are sealed with
// AES-256-GCM under the server's master key: GPU_SHOPPER_SECRET_KEY, or a generated 0600 key file.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    return new SecretBox(key);
  }

  /** From GPU_SHOPPER_SECRET_KEY (base64 or hex of 32 bytes), else the key file (created 0600 if absent). */
  static load(options: { secretKey: string | null; keyFile: string }): SecretBox {
    if (options.secretKey !== null) return SecretBox.fromKey(decodeKey(options.secretKey));
    if (existsSync(options.keyFile)) return SecretBox.fromKey(decodeKey(readFileSync(options.keyFile, 'utf8').trim()));
    const key = randomBytes(32);
    // The data directory, when this creates it, is the owner's only, like the database's (0700).
    mkdirSync(dirname(options.keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(options.keyFile, `${key.toString('base64')}\n`, { mode: 0o600 });
    chmodSync(options.keyFile, 0o600);
    return SecretBox.fromKey(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

function decodeKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('GPU_SHOPPER_SECRET_KEY must be 32 bytes, base64- or hex-encoded');
  return key;
}
