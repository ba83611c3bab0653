// The one way we fingerprint a secret for storage and lookup (API keys, node tokens): SHA-256, hex.
import { createHash } from 'node:crypto';

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
