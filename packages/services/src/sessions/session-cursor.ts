// The opaque cursor of a session list page: where the previous page stopped, in the list's order
// (newest first, ties by id). Clients pass it back as is; its contents are ours to change.
import { ValidationError } from '@gpu-shopper/domain';

export interface SessionCursor {
  createdAt: Date;
  id: string;
}

export function encodeSessionCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.id])).toString('base64url');
}

/** The position a cursor names; a 400 naming `cursor` for anything this server did not hand out. */
export function decodeSessionCursor(cursor: string): SessionCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Number.isSafeInteger(decoded[0]) || typeof decoded[1] !== 'string' || decoded[1].length === 0) {
    throw new ValidationError('cursor', 'not a cursor from a previous page (pass nextCursor as it came)');
  }
  return { createdAt: new Date(decoded[0] as number), id: decoded[1] };
}
