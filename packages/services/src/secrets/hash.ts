// The one way we fingerprint a secret for storage and lookup (API keys, node tokens): SHA-256, hex.
// crypto.hash (Node >= 20.12) is the one-shot form: a third of createHash's cost, and every API
// request hashes its key at least once.
import { hash } from 'node:crypto';

export function sha256Hex(secret: string): string {
  return hash('sha256', secret, 'hex');
}
