// `done --wait` and `shutdown --wait`: after asking a session to end, poll it until the provider
// confirms the instance gone (terminated), stopped with its disk kept, or failed — or time runs out.
import type { SessionDetail, ShopperClient } from '@gpu-shopper/sdk';
import { CommandFailure } from './errors';
import { ProgressLine, waitForSession } from './progress';
import { loadSdk } from './sdk';

const ENDED_STATES: readonly SessionDetail['state'][] = ['terminated', 'stopped', 'failed'];
export const DEFAULT_END_TIMEOUT_MINUTES = 10;

export interface EndWait {
  client: ShopperClient;
  id: string;
  timeoutMinutes: number | undefined;
  pollIntervalMs: number | undefined;
  tty: boolean;
  write: (text: string) => void;
  /** The clock, in ms (the command's, so tests can move it). */
  now: () => number;
}

/** The session once it has ended; a CommandFailure (exit 1, code TIMEOUT) when it has not in time. */
export async function waitUntilEnded({ client, id, timeoutMinutes, pollIntervalMs, tty, write, now }: EndWait): Promise<SessionDetail> {
  const minutes = timeoutMinutes ?? DEFAULT_END_TIMEOUT_MINUTES;
  const progress = new ProgressLine(tty, write);
  try {
    const { session, timedOut } = await waitForSession(client, id, (candidate) => ENDED_STATES.includes(candidate.state), {
      pollIntervalMs: pollIntervalMs ?? (await loadSdk()).DEFAULT_WAIT_POLL_MS,
      timeoutMs: minutes * 60_000,
      onProgress: (candidate, elapsedMs) => progress.update(candidate, elapsedMs),
      now,
    });
    if (timedOut) throw new CommandFailure(`session ${id} is still ${session.state} after ${minutes} min (the lifecycle keeps at it; see "gpu-shopper session ${id}")`, 'TIMEOUT');
    return session;
  } finally {
    progress.end();
  }
}
