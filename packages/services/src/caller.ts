// Helpers for acting on behalf of a caller: what it may see, and how it is named in audit trails.
import type { Caller } from '@gpu-shopper/domain';

/** The consumer a caller is confined to; null for an operator, who sees everything. */
export function scopeOf(caller: Caller): string | null {
  return caller.role === 'admin' ? null : caller.consumerId;
}

export function actorOf(caller: Caller): string {
  return caller.role === 'admin' ? `operator:${caller.keyId}` : `consumer:${caller.consumerName}`;
}

export const SYSTEM_ACTOR = 'system';
