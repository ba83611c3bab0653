// Identifiers: random, URL-safe and prefixed by what they name, so a stray id in a log says what it is.
import { randomBytes } from 'node:crypto';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
