// Session states and the only transitions allowed between them. Every state change in the
// system goes through `assertTransition`, so an impossible jump is a bug caught at once.
import { z } from 'zod';
import { InvalidStateError } from './errors';

export const SESSION_STATES = ['provisioning', 'ready', 'stopping', 'stopped', 'terminated', 'failed'] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;

/**
 * provisioning -> ready       the provider runs it and the agent said hello
 * provisioning -> stopping    given up (deadline, budget, operator) while an instance may exist
 * provisioning -> failed      no instance was ever created, or it is confirmed gone
 * ready        -> stopping    done, expired, idle, forced, orphaned
 * stopping     -> stopped     the instance is stopped, its disk preserved (it keeps costing storage)
 * stopping     -> terminated  the provider confirmed the instance is gone
 * stopping     -> failed      teardown of a failed provision, confirmed gone
 * stopped      -> stopping    the preserved disk is being destroyed
 */
const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  provisioning: ['ready', 'stopping', 'failed'],
  ready: ['stopping'],
  stopping: ['stopped', 'terminated', 'failed'],
  stopped: ['stopping'],
  terminated: [],
  failed: [],
};

export function allowedTransitions(from: SessionState): readonly SessionState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: SessionState, to: SessionState): void {
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw new InvalidStateError(
      `a session cannot go from ${from} to ${to}` + (allowed.length ? ` (from ${from}: ${allowed.join(', ')})` : ` (${from} is final)`),
    );
  }
}

export function isTerminal(state: SessionState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** States in which a provider instance may exist and cost money. */
export const LIVE_STATES: readonly SessionState[] = SESSION_STATES.filter((state) => !isTerminal(state));
