// How a simulated instance is written to a state file and read back: every lifecycle field (phase,
// timestamps, pricing, the pending change, the billing ledger, the node's process group) as plain JSON;
// each provider encodes its own data (references into its catalog become ids).
import { BillingLedger, type ChargeSegment } from './billing-ledger';
import type { SimInstance } from './lifecycle';

/** A SimInstance as JSON: its provider data encoded, its ledger as plain segments. */
export type StoredInstance<S> = Omit<SimInstance<S>, 'ledger'> & { ledger: ChargeSegment[] };

export function storeInstance<D, S>(instance: SimInstance<D>, encode: (data: D) => S): StoredInstance<S> {
  const { ledger, data, ...fields } = instance;
  return { ...fields, pending: fields.pending && { ...fields.pending }, data: encode(data), ledger: ledger.segments.map((segment) => ({ ...segment })) };
}

export function restoreInstance<D, S>(stored: StoredInstance<S>, decode: (data: S) => D): SimInstance<D> {
  const { ledger, data, ...fields } = stored;
  return { ...fields, statusMessage: fields.statusMessage ?? null, nodePgid: fields.nodePgid ?? null, data: decode(data), ledger: new BillingLedger(ledger) };
}

/** The header every state file starts with; a mismatch means the file belongs to another simulator. */
export interface StoredStateHeader {
  version: 1;
  provider: 'vastai' | 'tensordock';
  seed: number;
}

export class StateMismatchError extends Error {}

/** Checks a state file's header against this simulator; throws with what differs. */
export function checkStateHeader(state: unknown, expected: StoredStateHeader, path: string): void {
  const header = (state ?? {}) as Partial<StoredStateHeader>;
  if (header.version !== expected.version || header.provider !== expected.provider) {
    throw new StateMismatchError(`${path} is not a ${expected.provider} simulator state (version ${expected.version})`);
  }
  if (header.seed !== expected.seed) {
    throw new StateMismatchError(`${path} was written by a simulator with seed ${String(header.seed)}, not ${expected.seed}: its catalog would differ`);
  }
}
