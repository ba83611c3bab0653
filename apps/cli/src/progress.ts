// Waiting on a session (`provision --wait`, `done --wait`, `shutdown --wait`): polls it and shows
// what it is doing — one line rewritten in place on a terminal, a line per change elsewhere.
import type { SessionDetail } from '@gpu-shopper/sdk';
import { describePhase, elapsed } from './session-phase';

export class ProgressLine {
  private lastPhase: string | null = null;
  private width = 0;

  constructor(
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
  ) {}

  update(session: SessionDetail, elapsedMs: number): void {
    const phase = describePhase(session);
    const text = `${session.id}: ${phase}, ${elapsed(elapsedMs)} elapsed`;
    if (this.tty) {
      this.write(`\r${text.padEnd(this.width)}`);
      this.width = text.length;
    } else if (phase !== this.lastPhase) {
      this.write(`${text}\n`);
    }
    this.lastPhase = phase;
  }

  end(): void {
    if (this.tty && this.width > 0) this.write('\n');
    this.width = 0;
  }
}

export interface SessionWait {
  pollIntervalMs: number;
  timeoutMs: number;
  onProgress: (session: SessionDetail, elapsedMs: number) => void;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** Polls until `isDone(session)`; `timedOut` when the time ran out first (the last session read comes back). */
export async function waitForSession(
  client: { sessions: { get: { query(input: { id: string }): Promise<SessionDetail> } } },
  id: string,
  isDone: (session: SessionDetail) => boolean,
  options: SessionWait,
): Promise<{ session: SessionDetail; timedOut: boolean }> {
  const now = options.now ?? Date.now;
  const started = now();
  for (;;) {
    const session = await client.sessions.get.query({ id });
    const spent = now() - started;
    options.onProgress(session, spent);
    if (isDone(session)) return { session, timedOut: false };
    if (spent >= options.timeoutMs) return { session, timedOut: true };
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs));
  }
}
